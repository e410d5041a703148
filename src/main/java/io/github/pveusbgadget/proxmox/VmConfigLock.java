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
        long dev;
        long ino;
        List<String> locks;
        try {
            Path file = lockFile(vmId);
            if (!Files.exists(file)) {
                return false;
            }
            dev = ((Number) Files.getAttribute(file, "unix:dev")).longValue();
            ino = ((Number) Files.getAttribute(file, "unix:ino")).longValue();
            locks = Files.readAllLines(proc.resolve("locks"), StandardCharsets.ISO_8859_1);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
        // glibc's major()/minor() of st_dev; /proc/locks prints the same numbers in hex.
        long major = ((dev >>> 8) & 0xfffL) | ((dev >>> 32) & 0xfffff000L);
        long minor = (dev & 0xffL) | ((dev >>> 12) & 0xffffff00L);
        for (String line : locks) {
            // "1: FLOCK  ADVISORY  WRITE 4711 00:1a:3057 0 EOF", a waiter's with "->" after the number
            String[] fields = line.replace(" -> ", " ").trim().split("\\s+");
            if (fields.length < 6) {
                continue;
            }
            String[] id = fields[5].split(":");
            try {
                if (id.length == 3 && Long.parseLong(id[2]) == ino && Long.parseLong(id[0], 16) == major
                        && Long.parseLong(id[1], 16) == minor) {
                    return true;
                }
            } catch (NumberFormatException e) {
                // not a line of the usual form
            }
        }
        return false;
    }
}
