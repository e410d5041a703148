package io.github.pveusbgadget.cli;

import io.github.pveusbgadget.config.ConfigStore;
import io.github.pveusbgadget.gadget.GadgetInspector;
import io.github.pveusbgadget.gadget.GadgetLifecycle;
import io.github.pveusbgadget.gadget.PlanExecutor;
import io.github.pveusbgadget.gadget.StepContext;
import io.github.pveusbgadget.host.HostRoots;
import io.github.pveusbgadget.host.Poller;
import io.github.pveusbgadget.image.ImageBackup;
import io.github.pveusbgadget.image.ImageGuard;
import io.github.pveusbgadget.kernel.ExclusiveClaims;
import io.github.pveusbgadget.kernel.HostUsbBus;
import io.github.pveusbgadget.kernel.KernelModules;
import io.github.pveusbgadget.kernel.UdcRegistry;
import io.github.pveusbgadget.module.DummyHcdAdvice;
import io.github.pveusbgadget.module.ModuleInspector;

/** The objects a command works with, wired from the global options and the {@link Environment}. */
public final class Services {
    private final Environment environment;
    private final HostRoots roots;
    private final ConfigStore store;
    private final KernelModules modules;
    private final UdcRegistry udcs;
    private final HostUsbBus usb;
    private final GadgetInspector inspector;
    private final ImageGuard imageGuard;
    private final Poller poller;

    Services(Environment environment, GlobalOptions options) {
        this.environment = environment;
        var fs = environment.fileSystem();
        this.roots = new HostRoots(fs.getPath(options.configfs), fs.getPath(options.sysfs), fs.getPath(options.proc),
                fs.getPath(options.dev), fs.getPath(options.lockFile));
        this.store = new ConfigStore(fs.getPath(options.configDir));
        this.modules = new KernelModules(roots.sysfs(), environment.runner(), () -> DummyHcdAdvice.forRunningKernel(
                ModuleInspector.standard(fs, roots.proc(), environment.runner(), environment.variables())));
        this.udcs = new UdcRegistry(roots.sysfs());
        this.usb = new HostUsbBus(roots.sysfs());
        this.inspector = new GadgetInspector(roots.gadgetRoot());
        this.imageGuard = new ImageGuard(roots, inspector, new ExclusiveClaims(environment.runner()));
        this.poller = new Poller(environment.ticker());
    }

    public Environment environment() {
        return environment;
    }

    public HostRoots roots() {
        return roots;
    }

    public ConfigStore store() {
        return store;
    }

    public KernelModules modules() {
        return modules;
    }

    public UdcRegistry udcs() {
        return udcs;
    }

    public HostUsbBus usb() {
        return usb;
    }

    public GadgetInspector inspector() {
        return inspector;
    }

    public ImageGuard imageGuard() {
        return imageGuard;
    }

    public GadgetLifecycle lifecycle() {
        StepContext context = new StepContext(environment.gadgetFs(), modules, usb, poller, environment.runner());
        return new GadgetLifecycle(roots, store, modules, udcs, usb, inspector, imageGuard, new PlanExecutor(context, environment.faults()),
                poller, new ImageBackup(environment.clock()));
    }
}
