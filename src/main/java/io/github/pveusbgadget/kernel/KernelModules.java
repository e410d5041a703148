package io.github.pveusbgadget.kernel;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.host.CommandResult;
import io.github.pveusbgadget.host.CommandRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Kernel modules: what {@code /sys/module} says is loaded, and {@code modprobe} for the rest. */
public final class KernelModules {
    /** The modules a mass-storage gadget on the dummy UDC needs, in load order. */
    public static final List<String> GADGET_MODULES = List.of("dummy_hcd", "libcomposite", "usb_f_mass_storage");
    private static final Duration MODPROBE_TIMEOUT = Duration.ofSeconds(60);

    private final Path sysfs;
    private final CommandRunner runner;

    public KernelModules(Path sysfs, CommandRunner runner) {
        this.sysfs = sysfs;
        this.runner = runner;
    }

    public boolean isLoaded(String module) {
        return Files.isDirectory(sysfs.resolve("module").resolve(module));
    }

    /** Whether {@code modprobe} could load the module (it is loaded or {@code modinfo} finds it). */
    public boolean isAvailable(String module) {
        return isLoaded(module) || runner.run(List.of("modinfo", "-F", "filename", module), MODPROBE_TIMEOUT).succeeded();
    }

    public void load(String module) {
        CommandResult result = runner.run(List.of("modprobe", module), MODPROBE_TIMEOUT);
        if (!result.succeeded()) {
            String why = result.timedOut() ? "timed out after " + MODPROBE_TIMEOUT.toSeconds() + " s" : result.lastLine();
            throw ToolException.failed("modprobe " + module + " failed: " + why + "; "
                    + ("dummy_hcd".equals(module)
                    ? "the Proxmox kernel does not ship dummy_hcd: install the DKMS module (dkms status "
                            + "pve-usb-gadget-dummy-hcd) and the headers of the running kernel"
                    : "check that the running kernel has USB gadget support (modinfo " + module + ")"), null);
        }
    }

    /** Unloads {@code module}; returns whether it worked (a module still in use stays, which is fine). */
    public boolean unload(String module) {
        return runner.run(List.of("modprobe", "-r", module), MODPROBE_TIMEOUT).succeeded();
    }
}
