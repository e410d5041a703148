package io.github.pveusbgadget.proxmox;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pveusbgadget.config.VmId;
import io.github.pveusbgadget.testing.FakeKernel;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The VM's config lock as {@code /proc/locks} shows it, matched by device and inode. */
class VmConfigLockTest {
    private final FakeKernel kernel = new FakeKernel();
    private final VmConfigLock lock = new VmConfigLock(kernel.path("/proc"), kernel.path("/var/lock/qemu-server"));

    @Test
    void heldWhenProcLocksNamesTheLockFilesDeviceAndInode() throws Exception {
        VmId vm = new VmId(100);
        assertThat(lock.isHeld(vm)).as("no lock file").isFalse();
        Path file = kernel.path("/var/lock/qemu-server/lock-100.conf");
        Files.createDirectories(file.getParent());
        Files.createFile(file);
        Files.createFile(kernel.path("/var/lock/qemu-server/lock-101.conf"));
        String id = VmConfigLock.procLocksId(file);
        String other = VmConfigLock.procLocksId(kernel.path("/var/lock/qemu-server/lock-101.conf"));
        Files.writeString(kernel.path("/proc/locks"), "1: POSIX  ADVISORY  WRITE 900 08:01:12 0 EOF\n"
                + "2: FLOCK  ADVISORY  WRITE 4711 " + other + " 0 EOF\n");
        assertThat(lock.isHeld(vm)).as("only another VM's lock").isFalse();
        Files.writeString(kernel.path("/proc/locks"), "2: FLOCK  ADVISORY  WRITE 4711 " + id + " 0 EOF\n");
        assertThat(lock.isHeld(vm)).isTrue();
        Files.writeString(kernel.path("/proc/locks"), "2: -> FLOCK  ADVISORY  WRITE 4712 " + id + " 0 EOF\n");
        assertThat(lock.isHeld(vm)).as("a waiter: someone holds it").isTrue();
        assertThat(id).as("the kernel's %02x:%02x:%lu").matches("[0-9a-f]{2,}:[0-9a-f]{2,}:[0-9]+");
    }

    /**
     * Against this machine's kernel: a lock on a real file (POSIX here; qemu-server's flock is listed the same way)
     * shows in the real /proc/locks under the name {@link VmConfigLock#procLocksId} gives it.
     */
    @Test
    void theKernelNamesALockedFileAsProcLocksIdDoes(@TempDir Path dir) throws Exception {
        Path procLocks = Path.of("/proc/locks");
        Assumptions.assumeTrue(Files.isReadable(procLocks), "no /proc/locks on this machine");
        Path file = dir.resolve("lock-100.conf");
        Files.createFile(file);
        VmConfigLock real = new VmConfigLock(Path.of("/proc"), dir);
        assertThat(real.isHeld(new VmId(100))).isFalse();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE); FileLock held = channel.lock()) {
            assertThat(real.isHeld(new VmId(100))).as(Files.readString(procLocks)).isTrue();
        }
        assertThat(real.isHeld(new VmId(100))).isFalse();
    }
}
