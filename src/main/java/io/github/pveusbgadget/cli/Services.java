package io.github.pveusbgadget.cli;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.config.ConfigStore;
import io.github.pveusbgadget.gadget.GadgetLifecycle;
import io.github.pveusbgadget.gadget.HostSnapshot;
import io.github.pveusbgadget.gadget.StepContext;
import io.github.pveusbgadget.host.HostRoots;
import io.github.pveusbgadget.host.Poller;
import io.github.pveusbgadget.image.ImageBackup;
import io.github.pveusbgadget.image.ImageGuard;
import io.github.pveusbgadget.kernel.ExclusiveClaims;
import io.github.pveusbgadget.kernel.HostUsbBus;
import io.github.pveusbgadget.kernel.KernelModules;
import io.github.pveusbgadget.module.DummyHcdAdvice;
import io.github.pveusbgadget.module.ModuleInspector;
import io.github.pveusbgadget.plan.PlanExecutor;
import io.github.pveusbgadget.proxmox.Cluster;
import io.github.pveusbgadget.proxmox.ClusterFs;
import io.github.pveusbgadget.wiring.DriveSetup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The objects a command works with, wired once from the global options and the {@link Environment}. */
public final class Services {
    private final Environment environment;
    private final HostRoots roots;
    private final ConfigStore store;
    private final KernelModules modules;
    private final ImageGuard imageGuard;
    private final Optional<Path> pmxcfs;

    Services(Environment environment, GlobalOptions options) {
        this.environment = environment;
        var fs = environment.fileSystem();
        requireDirectoryIfPresent("--configfs", fs.getPath(options.configfs));
        requireDirectoryIfPresent("--sysfs", fs.getPath(options.sysfs));
        this.roots = new HostRoots(fs.getPath(options.configfs), fs.getPath(options.sysfs), fs.getPath(options.proc),
                fs.getPath(options.dev), fs.getPath(options.lockFile));
        this.pmxcfs = ClusterFs.mountPoint(roots, fs.getPath(options.pmxcfs));
        Path configDir = Optional.ofNullable(options.configDir)
                .or(() -> environment.variable("PVE_USB_GADGET_CONFIG_DIR"))
                .map(fs::getPath)
                .orElseGet(() -> ClusterFs.defaultConfigDir(pmxcfs, fs));
        requireDirectoryIfPresent(options.configDir != null ? "--config-dir"
                : environment.variable("PVE_USB_GADGET_CONFIG_DIR").isPresent() ? "PVE_USB_GADGET_CONFIG_DIR"
                : "the config dir", configDir);
        this.store = new ConfigStore(configDir, ClusterFs.holding(configDir, pmxcfs), roots.lockFile(),
                new Poller(environment.ticker()));
        this.modules = new KernelModules(roots.sysfs(), environment.runner(), () -> DummyHcdAdvice.forRunningKernel(
                ModuleInspector.standard(fs, roots.proc(), environment.runner(), environment.variables())));
        this.imageGuard = new ImageGuard(roots, new ExclusiveClaims(environment.runner()));
    }

    /**
     * A directory option naming a file would otherwise read as an empty directory (no configs, no gadgets) or, for
     * configfs, be mounted on; one that does not exist yet is fine (configfs is mounted by up, init creates the
     * config directory).
     */
    private static void requireDirectoryIfPresent(String option, Path path) {
        if (Files.exists(path) && !Files.isDirectory(path)) {
            throw ToolException.badInput(option + " " + path + " is not a directory");
        }
    }

    public Environment environment() {
        return environment;
    }

    public HostRoots roots() {
        return roots;
    }

    /** This node's view of its cluster (none without pmxcfs). */
    public Cluster cluster() {
        return new Cluster(pmxcfs, pmxcfs.flatMap(pve -> ClusterFs.nodeName(roots, pve)));
    }

    public ConfigStore store() {
        return store;
    }

    public KernelModules modules() {
        return modules;
    }

    public ImageGuard imageGuard() {
        return imageGuard;
    }

    /** What the host shows now (modules, configfs, UDCs, gadgets, USB devices), read once. */
    public HostSnapshot snapshot() {
        return HostSnapshot.read(roots, modules);
    }

    public DriveSetup driveSetup() {
        return new DriveSetup(store, environment.runner(), environment.fileSystem(), this::snapshot,
                environment.random(), cluster());
    }

    public GadgetLifecycle lifecycle() {
        Poller poller = new Poller(environment.ticker());
        StepContext context = new StepContext(environment.gadgetFs(), modules, new HostUsbBus(roots.sysfs()), poller,
                environment.runner());
        return new GadgetLifecycle(roots, store, modules, imageGuard,
                PlanExecutor.withTaskLog(context, environment.faults()), poller, new ImageBackup(environment.clock()));
    }
}
