package io.github.pveusbgadget.proxmox;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pveusbgadget.config.VmId;
import io.github.pveusbgadget.testing.FakeKernel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

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
        String id = procLocksId(file);
        String other = procLocksId(kernel.path("/var/lock/qemu-server/lock-101.conf"));
        Files.writeString(kernel.path("/proc/locks"), "1: POSIX  ADVISORY  WRITE 900 08:01:12 0 EOF\n"
                + "2: FLOCK  ADVISORY  WRITE 4711 " + other + " 0 EOF\n");
        assertThat(lock.isHeld(vm)).as("only another VM's lock").isFalse();
        Files.writeString(kernel.path("/proc/locks"), "2: FLOCK  ADVISORY  WRITE 4711 " + id + " 0 EOF\n");
        assertThat(lock.isHeld(vm)).isTrue();
        Files.writeString(kernel.path("/proc/locks"), "2: -> FLOCK  ADVISORY  WRITE 4712 " + id + " 0 EOF\n");
        assertThat(lock.isHeld(vm)).as("a waiter: someone holds it").isTrue();
    }

    /** What the kernel prints for the file: major and minor in hex, the inode in decimal. */
    private static String procLocksId(Path file) throws Exception {
        long dev = ((Number) Files.getAttribute(file, "unix:dev")).longValue();
        long ino = ((Number) Files.getAttribute(file, "unix:ino")).longValue();
        long major = ((dev >>> 8) & 0xfffL) | ((dev >>> 32) & 0xfffff000L);
        long minor = (dev & 0xffL) | ((dev >>> 12) & 0xffffff00L);
        return String.format("%02x:%02x:%d", major, minor, ino);
    }
}
