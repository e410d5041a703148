package io.github.pveusbgadget.host;

import java.nio.file.Path;

/**
 * The places on the host this tool reads and writes, injected so that tests can point them into an in-memory
 * file system. Nothing else in the code builds an absolute path to {@code /sys} or {@code /proc}.
 *
 * @param configfs  where configfs is (to be) mounted, normally {@code /sys/kernel/config}
 * @param sysfs     sysfs, normally {@code /sys}
 * @param proc      procfs, normally {@code /proc}
 * @param dev       device nodes, normally {@code /dev}
 * @param lockFile  the host-wide lock serializing {@code up} and {@code down}
 * @param stateDir  this tool's volatile state (start markers, running backups), normally {@code /run/pve-usb-gadget}:
 *                  on tmpfs, so it goes with a reboot, as the gadgets do
 * @param qemuRunDir where qemu-server keeps its {@code <vmid>.pid} files, normally {@code /var/run/qemu-server}
 * @param qemuLockDir where qemu-server's VM config locks are, normally {@code /var/lock/qemu-server}
 */
public record HostRoots(Path configfs, Path sysfs, Path proc, Path dev, Path lockFile, Path stateDir,
                        Path qemuRunDir, Path qemuLockDir) {

    /** Directory holding every configfs USB gadget. */
    public Path gadgetRoot() {
        return configfs.resolve("usb_gadget");
    }

    /** The kernel's mount table of this process's namespace. */
    public Path mountInfo() {
        return proc.resolve("self").resolve("mountinfo");
    }
}
