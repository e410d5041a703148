package io.github.pveusbgadget.module;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What is there for {@code dummy_hcd} on one installed kernel, and what a build would use.
 *
 * @param running       whether it is the running kernel
 * @param kernelPresent whether the kernel itself is installed (not only its headers, which also make
 *                      {@code /lib/modules/K})
 * @param headers       whether its headers are at {@code /lib/modules/K/build}
 * @param upstream      its upstream version, as far as it can be known
 * @param upstreamFrom  what says that version: {@code headers}, {@code name} or {@code DUMMY_HCD_KERNEL_VERSION}
 * @param dkmsState     what {@code dkms status} says for it ({@code installed}, {@code built}), empty for nothing,
 *                      or why it could not be asked
 * @param dkmsModule    our module file, {@code /lib/modules/K/updates/dkms/dummy_hcd.ko*}
 * @param inTreeModule  the kernel's own {@code dummy_hcd.ko*} (Debian's kernels have one, Proxmox's do not)
 * @param builtFrom     where the installed or built module's source came from (its {@code pvug_source} tag, or
 *                      the {@code source-info} lines of its DKMS {@code make.log})
 * @param nextSource    where a build would take the source from now
 */
public record KernelModuleState(KernelRelease kernel, boolean running, boolean kernelPresent, boolean headers,
                                UpstreamVersion upstream, String upstreamFrom, String dkmsState,
                                Optional<Path> dkmsModule, Optional<Path> inTreeModule, Optional<String> builtFrom,
                                SourceChoice nextSource) {

    /** Whether {@code modprobe dummy_hcd} can find a module for this kernel. */
    public boolean hasDummyHcd() {
        return dkmsModule.isPresent() || inTreeModule.isPresent();
    }

    /** What to run so that this kernel gets our {@code dummy_hcd}; empty when it has one. */
    public Optional<String> todo(DkmsModule module) {
        if (hasDummyHcd()) {
            return Optional.empty();
        }
        String build = "pve-usb-gadget module build --kernel " + kernel;
        String withSource = build + " --source /path/to/dummy_hcd.c|linux-" + upstream.series() + ".N.tar.xz";
        String linuxSource = "apt install linux-source-" + upstream.series() + " where the distribution has it";
        if (!headers) {
            // the package's kernel hook builds it when the headers arrive; by hand if it could not
            return Optional.of("apt install " + kernel.headersPackage() + (nextSource.usable()
                    ? " (its hook then builds dummy_hcd; by hand: " + module.installByHand(kernel) + ")"
                    : ", then " + withSource + " (no dummy_hcd.c source at hand; or " + linuxSource + ")"));
        }
        if (!nextSource.usable()) {
            return Optional.of(withSource + " (" + nextSource.description() + "; or " + linuxSource + ")");
        }
        return Optional.of(build + "; it would use " + nextSource.description());
    }
}
