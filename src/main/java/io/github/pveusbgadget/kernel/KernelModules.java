package io.github.pveusbgadget.kernel;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.host.CommandResult;
import io.github.pveusbgadget.host.CommandRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/** Kernel modules: what {@code /sys/module} says is loaded, and {@code modprobe} for the rest. */
public final class KernelModules {
    /** The modules a mass-storage gadget on the dummy UDC needs, in load order. */
    public static final List<String> GADGET_MODULES = List.of("dummy_hcd", "libcomposite", "usb_f_mass_storage");
    private static final Duration MODPROBE_TIMEOUT = Duration.ofSeconds(60);

    private final Path sysfs;
    private final CommandRunner runner;
    private final Supplier<String> dummyHcdAdvice;

    public KernelModules(Path sysfs, CommandRunner runner) {
        this(sysfs, runner, () -> "the Proxmox kernel does not ship dummy_hcd: install the DKMS module (dkms status "
                + "pve-usb-gadget-dummy-hcd) and the headers of the running kernel");
    }

    /**
     * @param dummyHcdAdvice what to do when {@code dummy_hcd} is missing (which kernel, the exact command); asked only
     *                       then, as working it out reads the DKMS tree
     */
    public KernelModules(Path sysfs, CommandRunner runner, Supplier<String> dummyHcdAdvice) {
        this.sysfs = sysfs;
        this.runner = runner;
        this.dummyHcdAdvice = dummyHcdAdvice;
    }

    /** What to do about a module that {@link #isAvailable is not available}. */
    public String whyMissing(String module) {
        return "dummy_hcd".equals(module) ? dummyHcdAdvice.get()
                : "not found: the running kernel lacks USB gadget support (modinfo " + module + ")";
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
                    + ("dummy_hcd".equals(module) ? dummyHcdAdvice.get()
                    : "check that the running kernel has USB gadget support (modinfo " + module + ")"), null);
        }
    }

    /** Unloads {@code module}; returns whether it worked (a module still in use stays, which is fine). */
    public boolean unload(String module) {
        return runner.run(List.of("modprobe", "-r", module), MODPROBE_TIMEOUT).succeeded();
    }
}
