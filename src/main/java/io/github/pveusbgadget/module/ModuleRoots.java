package io.github.pveusbgadget.module;

import java.nio.file.FileSystem;
import java.nio.file.Path;

/**
 * The places the {@code dummy_hcd} build involves, in one file system (the host's, or an in-memory one in tests).
 *
 * @param modules    {@code /lib/modules}: one folder per installed kernel, {@code build} links to its headers
 * @param dkmsTree   {@code /var/lib/dkms}: what DKMS has added, built and installed, with the build logs
 * @param settings   {@code /etc/default/pve-usb-gadget-dummy-hcd}: the admin's settings for {@code prepare-source.sh}
 * @param dkmsSource {@code /usr/src/<name>-<version>}: the DKMS source the package installs
 * @param osRelease  {@code /proc/sys/kernel/osrelease}: the running kernel's release name
 */
public record ModuleRoots(Path modules, Path dkmsTree, Path settings, Path dkmsSource, Path osRelease) {

    /** The standard places in {@code fs}, with procfs at {@code proc}. */
    public static ModuleRoots standard(FileSystem fs, Path proc, DkmsModule module) {
        return new ModuleRoots(fs.getPath("/lib/modules"), fs.getPath("/var/lib/dkms"),
                fs.getPath("/etc/default/pve-usb-gadget-dummy-hcd"),
                fs.getPath("/usr/src/" + module.name() + "-" + module.version()),
                proc.resolve("sys/kernel/osrelease"));
    }

    public Path kernelDir(KernelRelease kernel) {
        return modules.resolve(kernel.name());
    }

    /** The headers DKMS builds against ({@code /lib/modules/K/build}, a link into the headers package). */
    public Path headers(KernelRelease kernel) {
        return kernelDir(kernel).resolve("build");
    }

    public Path versionHeader(KernelRelease kernel) {
        return headers(kernel).resolve("include/generated/uapi/linux/version.h");
    }
}
