package io.github.pveusbgadget.module;

import java.nio.file.Files;
import java.util.Map;
import java.util.Optional;

/**
 * The one line {@code check} and {@code up} say when {@code modprobe dummy_hcd} cannot work: which kernel, and the
 * exact command that gets it a {@code dummy_hcd}.
 */
public final class DummyHcdAdvice {
    private DummyHcdAdvice() {
    }

    public static String forRunningKernel(ModuleInspector inspector) {
        Optional<KernelRelease> running = inspector.running();
        if (running.isEmpty()) {
            return "no dummy_hcd for the running kernel (" + inspector.roots().osRelease() + " unreadable): see "
                    + "pve-usb-gadget module status";
        }
        KernelRelease kernel = running.get();
        if (!Files.isDirectory(inspector.roots().kernelDir(kernel))) {
            return "the running kernel " + kernel + " has no " + inspector.roots().kernelDir(kernel) + ", so no "
                    + "module can be loaded for it (removed after boot, or a container): boot an installed kernel, "
                    + "then pve-usb-gadget module status";
        }
        KernelModuleState state = inspector.inspect(kernel, Map.of());
        return state.todo(inspector.module())
                .map(todo -> "no dummy_hcd for the running kernel " + kernel + ": " + todo)
                .orElseGet(() -> "dummy_hcd for the running kernel " + kernel + " is "
                        + state.dkmsModule().or(state::inTreeModule).orElseThrow() + " but does not load (see dmesg; "
                        + "depmod -a " + kernel + "); rebuild it: pve-usb-gadget module build --kernel " + kernel);
    }
}
