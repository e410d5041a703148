package io.github.pveusbgadget.proxmox;

import io.github.pveusbgadget.config.VmId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Whether Proxmox works on a VM right now: qemu-server holds the VM's config lock ({@code flock} on
 * {@code /var/lock/qemu-server/lock-<vmid>.conf}, {@code PVE::QemuConfig::config_file_lock}) for the whole of a start
 * ({@code vm_start}: {@code pre-start}, then QEMU's launch), a stop, a migration. Read from {@code /proc/locks}, never
 * by taking the lock: a probe of ours would make a start that comes at that moment wait.
 */
public final class VmConfigLock {
    private final Path proc;
    private final Path lockDir;

    /**
     * @param proc    procfs
     * @param lockDir qemu-server's lock directory ({@code /var/lock/qemu-server})
     */
    public VmConfigLock(Path proc, Path lockDir) {
        this.proc = proc;
        this.lockDir = lockDir;
    }

    public Path lockFile(VmId vmId) {
        return lockDir.resolve("lock-" + vmId + ".conf");
    }

    /** Whether anyone holds (or waits for) a lock on the VM's lock file; false when that cannot be told. */
    public boolean isHeld(VmId vmId) {
        String id;
        List<String> locks;
        try {
            Path file = lockFile(vmId);
            if (!Files.exists(file)) {
                return false;
            }
            id = procLocksId(file);
            locks = Files.readAllLines(proc.resolve("locks"), StandardCharsets.ISO_8859_1);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
        for (String line : locks) {
            // "1: FLOCK  ADVISORY  WRITE 4711 00:1a:3057 0 EOF", a waiter's with "->" after the number
            String[] fields = line.replace(" -> ", " ").trim().split("\\s+");
            if (fields.length > 5 && fields[5].equals(id)) {
                return true;
            }
        }
        return false;
    }

    /**
     * How {@code /proc/locks} names {@code file}: the major and minor of its device in hex ({@code %02x}), its inode
     * in decimal; major and minor decoded from {@code st_dev} as glibc's {@code major()}/{@code minor()} do.
     */
    public static String procLocksId(Path file) throws IOException {
        long dev = ((Number) Files.getAttribute(file, "unix:dev")).longValue();
        long ino = ((Number) Files.getAttribute(file, "unix:ino")).longValue();
        long major = ((dev >>> 8) & 0xfffL) | ((dev >>> 32) & 0xfffff000L);
        long minor = (dev & 0xffL) | ((dev >>> 12) & 0xffffff00L);
        return String.format("%02x:%02x:%d", major, minor, ino);
    }
}
