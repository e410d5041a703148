package io.github.pveusbgadget.gadget;

import io.github.pveusbgadget.config.GadgetConfig;
import io.github.pveusbgadget.config.UsbId;
import io.github.pveusbgadget.host.HostRoots;
import io.github.pveusbgadget.kernel.KernelModules;
import io.github.pveusbgadget.kernel.Udc;
import io.github.pveusbgadget.plan.Plan;
import io.github.pveusbgadget.plan.Step;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;

/**
 * Decides the steps: from the wanted gadget and what configfs shows, in the orders the kernel documents
 * (Documentation/usb/gadget_configfs.rst). It changes nothing itself.
 */
public final class GadgetPlanner {
    private final HostRoots roots;

    public GadgetPlanner(HostRoots roots) {
        this.roots = roots;
    }

    /** Loads the gadget modules that are not loaded and mounts configfs if it is not mounted. */
    public Plan<StepContext> prepare(Predicate<String> moduleLoaded, boolean configfsMounted) {
        Plan<StepContext> plan = new Plan<StepContext>();
        KernelModules.GADGET_MODULES.stream().filter(moduleLoaded.negate())
                .forEach(module -> plan.add(new Steps.LoadModule(module)));
        if (!configfsMounted) {
            plan.add(new Steps.MountConfigfs(roots.configfs()));
        }
        return plan;
    }

    /**
     * Builds the gadget from nothing and binds it. {@code ro} and {@code cdrom} are written before {@code file},
     * because the kernel fixes a LUN's mode when its file is opened.
     */
    public Plan<StepContext> build(GadgetSpec spec) {
        GadgetLayout layout = spec.layout();
        GadgetConfig config = spec.config();
        Path lun = layout.lun();
        Plan<StepContext> plan = new Plan<StepContext>()
                .add(new Steps.MakeDir(layout.dir()))
                .add(write(layout.attribute("idVendor"), config.usbId().vendorAttribute()))
                .add(write(layout.attribute("idProduct"), config.usbId().productAttribute()))
                .add(write(layout.attribute("bcdDevice"), GadgetSpec.BCD_DEVICE))
                .add(write(layout.attribute("bcdUSB"), GadgetSpec.BCD_USB))
                .add(new Steps.MakeDir(layout.strings()))
                .add(write(layout.strings().resolve("serialnumber"), config.serial()))
                .add(write(layout.strings().resolve("manufacturer"), config.manufacturer()))
                .add(write(layout.strings().resolve("product"), config.product()))
                .add(new Steps.MakeDir(layout.config()))
                .add(write(layout.config().resolve("MaxPower"), GadgetSpec.MAX_POWER_MA))
                .add(new Steps.MakeDir(layout.configStrings()))
                .add(write(layout.configStrings().resolve("configuration"), GadgetSpec.CONFIGURATION_NAME))
                .add(new Steps.MakeDir(layout.function()))
                .add(write(lun.resolve("ro"), bit(config.readOnly())))
                .add(write(lun.resolve("cdrom"), bit(config.cdrom())))
                .add(write(lun.resolve("removable"), bit(config.removable())))
                .add(write(lun.resolve("nofua"), bit(config.noFua())))
                .add(write(lun.resolve("inquiry_string"), config.inquiryString()))
                .add(write(lun.resolve("file"), config.image().toString()))
                .add(new Steps.Link(layout.functionLink(), layout.function()))
                .add(write(layout.attribute("max_speed"), spec.speed().kernelName()))
                .add(write(layout.attribute("UDC"), spec.udc().name()))
                .add(awaitEnumeration(config, spec.udc()));
        if (spec.udcPredicted()) {
            plan.note(spec.udc().name() + " is a prediction: dummy_hcd is not loaded yet, so its first UDC is assumed"
                    + " free and " + spec.speed().configName() + " speed assumed");
        }
        return plan;
    }

    /** Waits for the host to see the device of {@code config} on the bus of {@code udc}. */
    public Step<StepContext> awaitEnumeration(GadgetConfig config, Udc udc) {
        return new Steps.AwaitHostDevice(config.usbId(), config.serial(), udc.hostControllerName(),
                config.enumerateTimeout(), config.source(), roots.sysfs());
    }

    /**
     * Removes a gadget in whatever state it is, in the kernel's documented order: unbind, remove the function links
     * from configurations, the configurations' strings, the configurations, the functions, the gadget's strings,
     * the gadget.
     */
    public Plan<StepContext> teardown(ObservedGadget gadget, Duration goneTimeout, List<String> hostBlockDevices) {
        Plan<StepContext> plan = new Plan<StepContext>();
        if (gadget.isBound()) {
            hostBlockDevices.forEach(name -> plan.add(new Steps.FlushHostBlockDevice(roots.dev().resolve(name),
                    goneTimeout)));
            List<Path> luns = gadget.luns().stream().map(ObservedGadget.Lun::dir).toList();
            plan.add(new Steps.Unbind(gadget.dir(), luns, goneTimeout));
            int index = Udc.indexOf(gadget.udc());
            UsbId usbId = parseUsbId(gadget);
            if (index >= 0 && usbId != null) {
                plan.add(new Steps.AwaitHostDeviceGone(usbId, gadget.serial(), "dummy_hcd." + index, goneTimeout,
                        roots.sysfs(), luns));
            }
        }
        gadget.osDescLinks().forEach(link -> plan.add(new Steps.RemoveLink(link)));
        gadget.configLinks().forEach(link -> plan.add(new Steps.RemoveLink(link)));
        gadget.configStrings().forEach(dir -> plan.add(new Steps.RemoveDir(dir)));
        gadget.configs().forEach(dir -> plan.add(new Steps.RemoveDir(dir)));
        gadget.functions().forEach(dir -> plan.add(new Steps.RemoveDir(dir)));
        gadget.gadgetStrings().forEach(dir -> plan.add(new Steps.RemoveDir(dir)));
        plan.add(new Steps.RemoveDir(gadget.dir()));
        return plan;
    }

    /** {@link #teardown}, then the backing files flushed, then the modules unloaded if asked. */
    public Plan<StepContext> down(ObservedGadget gadget, Duration goneTimeout, List<String> hostBlockDevices,
                     boolean unloadModules) {
        return finishDown(teardown(gadget, goneTimeout, hostBlockDevices), gadget, unloadModules);
    }

    /**
     * The end of every {@code down}: after {@code teardown} (what is left of it, after a failed step), the backing
     * files {@code gadget} had are flushed, and the modules unloaded if asked.
     */
    public Plan<StepContext> finishDown(Plan<StepContext> teardown, ObservedGadget gadget, boolean unloadModules) {
        for (String file : gadget.backingFiles()) {
            Path image = gadget.dir().getFileSystem().getPath(file);
            if (Files.exists(image)) {
                teardown.add(new Steps.FlushImage(image));
            }
        }
        if (unloadModules) {
            teardown.add(unloadGadgetModules());
        }
        return teardown;
    }

    /** Unloads the gadget modules, last loaded first. */
    public Step<StepContext> unloadGadgetModules() {
        List<String> modules = new ArrayList<>(KernelModules.GADGET_MODULES);
        Collections.reverse(modules);
        return new Steps.UnloadModules(List.copyOf(modules));
    }

    private static UsbId parseUsbId(ObservedGadget gadget) {
        try {
            return new UsbId(Integer.decode(gadget.idVendor()), Integer.decode(gadget.idProduct()));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static Step<StepContext> write(Path attribute, String value) {
        return new Steps.WriteAttribute(attribute, value);
    }

    private static String bit(boolean value) {
        return value ? "1" : "0";
    }
}
