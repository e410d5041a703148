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
 */
public record HostRoots(Path configfs, Path sysfs, Path proc, Path dev, Path lockFile) {

    /** Directory holding every configfs USB gadget. */
    public Path gadgetRoot() {
        return configfs.resolve("usb_gadget");
    }

    /** The kernel's mount table of this process's namespace. */
    public Path mountInfo() {
        return proc.resolve("self").resolve("mountinfo");
    }
}
