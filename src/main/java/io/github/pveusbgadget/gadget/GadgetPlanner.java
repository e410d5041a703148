package io.github.pveusbgadget.gadget;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.config.GadgetConfig;
import io.github.pveusbgadget.config.MaxSpeed;
import io.github.pveusbgadget.config.VmId;
import io.github.pveusbgadget.host.HostRoots;
import io.github.pveusbgadget.image.ImageProblem;
import io.github.pveusbgadget.kernel.HostUsbDevice;
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
import java.util.Optional;

/**
 * Decides the steps of {@code up} and {@code down}: from the wanted gadget and a {@link HostSnapshot}, in the orders
 * the kernel documents (Documentation/usb/gadget_configfs.rst), and the conflicts that forbid {@code up}. It reads
 * and changes nothing itself: every decision about the gadget is made here.
 */
public final class GadgetPlanner {
    private final HostRoots roots;

    public GadgetPlanner(HostRoots roots) {
        this.roots = roots;
    }

    /**
     * The first part of {@code up}: the gadget modules to load and configfs to mount.
     *
     * @param modules the modules {@code plan} loads, in order (a failed {@code up} unloads them again)
     */
    public record Preparation(Plan<StepContext> plan, List<String> modules) {
    }

    /** Loads the gadget modules that are not loaded and mounts configfs if it is not mounted. */
    public Preparation prepare(HostSnapshot host) {
        Plan<StepContext> plan = new Plan<>();
        List<String> modules = KernelModules.GADGET_MODULES.stream().filter(m -> !host.isLoaded(m)).toList();
        modules.forEach(module -> plan.add(new Steps.LoadModule(module)));
        if (!host.configfsMounted()) {
            plan.add(new Steps.MountConfigfs(roots.configfs()));
        }
        return new Preparation(plan, modules);
    }

    /**
     * Everything about the host that forbids {@code up} of {@code config}, beyond its image: a VID:PID that a bound
     * gadget or a physical device of the host already has (QEMU passes a device through by VID:PID).
     */
    public List<ImageProblem> conflicts(GadgetConfig config, HostSnapshot host) {
        List<ImageProblem> problems = new ArrayList<>();
        String ours = GadgetLayout.nameOf(config.vmId());
        for (ObservedGadget other : host.gadgets()) {
            if (!other.name().equals(ours) && other.isBound() && other.usbId().equals(Optional.of(config.usbId()))) {
                problems.add(new ImageProblem(false, "VID:PID " + config.usbId() + " of VM " + config.vmId()
                        + " is already used by the bound gadget " + other.name() + "; QEMU would hand the VM the wrong"
                        + " drive: give it another product_id in " + config.source()));
            }
        }
        for (HostUsbDevice device : host.usbDevices()) {
            if (device.isPhysical() && device.usbId().equals(config.usbId())) {
                problems.add(new ImageProblem(false, "VID:PID " + config.usbId() + " of VM " + config.vmId()
                        + " is also the host's USB device " + device.name() + "; QEMU would hand the VM the wrong"
                        + " device: give it another product_id in " + config.source()));
            }
        }
        return problems;
    }

    /**
     * The gadget part of {@code up}: nothing but the wait if it is already right, else the removal of any leftover
     * and the build on a free UDC. With {@code predictUdc} (a dry run before dummy_hcd is loaded) the UDC is assumed.
     */
    public Plan<StepContext> gadget(GadgetConfig config, HostSnapshot host, boolean predictUdc) {
        GadgetLayout layout = new GadgetLayout(roots.gadgetRoot(), config.vmId());
        Optional<ObservedGadget> existing = host.ours(config.vmId());
        if (existing.isPresent() && GadgetSpec.satisfies(existing.get(), config, layout)) {
            Optional<Udc> udc = existing.get().udc().flatMap(host::udc);
            if (udc.isPresent()) {
                return new Plan<StepContext>().note("gadget " + layout.name() + " is already up on "
                        + udc.get().name()).add(awaitEnumeration(config, udc.get()));
            }
        }
        Plan<StepContext> plan = new Plan<>();
        existing.ifPresent(leftover -> plan.note("removing the leftover gadget " + layout.name() + " first")
                .addAll(teardown(leftover, config.enumerateTimeout(), host)));
        Udc udc = predictUdc ? new Udc(Udc.PREFIX + "0", 0, "super-speed") : chooseUdc(config, existing, host);
        MaxSpeed speed = config.maxSpeed().orElse(MaxSpeed.SUPER.offeredBy(udc.maximumSpeed())
                ? MaxSpeed.SUPER : MaxSpeed.HIGH);
        return plan.addAll(build(new GadgetSpec(layout, config, udc, speed, predictUdc)));
    }

    private Udc chooseUdc(GadgetConfig config, Optional<ObservedGadget> ours, HostSnapshot host) {
        if (host.udcs().isEmpty()) {
            throw ToolException.refused("dummy_hcd is loaded but offers no UDC in " + roots.sysfs().resolve("class/udc")
                    + "; reload it: modprobe -r dummy_hcd && modprobe dummy_hcd");
        }
        int all = host.udcs().size();
        return host.freeUdcs(ours).stream().findFirst().orElseThrow(() ->
                ToolException.refused("no free dummy UDC for VM " + config.vmId() + ": all " + all
                        + " are bound; raise num in /etc/modprobe.d/pve-usb-gadget.conf (options dummy_hcd num="
                        + Math.min(32, all * 2) + ") and reload dummy_hcd while no VM uses it"));
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
    public Plan<StepContext> teardown(ObservedGadget gadget, Duration goneTimeout, HostSnapshot host) {
        Plan<StepContext> plan = new Plan<>();
        if (gadget.isBound()) {
            host.deviceOf(gadget).map(HostUsbDevice::blockDevices).orElse(List.of()).forEach(name ->
                    plan.add(new Steps.FlushHostBlockDevice(roots.dev().resolve(name), goneTimeout)));
            List<Path> luns = gadget.luns().stream().map(ObservedGadget.Lun::dir).toList();
            plan.add(new Steps.Unbind(gadget.dir(), luns, goneTimeout));
            if (gadget.hostController().isPresent() && gadget.usbId().isPresent()) {
                plan.add(new Steps.AwaitHostDeviceGone(gadget.usbId().get(), gadget.serial(),
                        gadget.hostController().get(), goneTimeout, roots.sysfs(), luns));
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

    /**
     * {@code down} of the VM's gadget: {@link #teardown}, then the backing files flushed, then the gadget modules
     * unloaded when no other gadget is left.
     */
    public Plan<StepContext> down(ObservedGadget gadget, Duration goneTimeout, HostSnapshot host) {
        return finishDown(teardown(gadget, goneTimeout, host), gadget, host);
    }

    /**
     * The rest of a {@code down} whose step failed: the teardown of what {@code now} still shows of the gadget, then
     * the flush of the files {@code before} had (the end of every {@code down}).
     */
    public Plan<StepContext> restOfDown(VmId vmId, ObservedGadget before, Duration goneTimeout, HostSnapshot now) {
        Plan<StepContext> teardown = now.ours(vmId).map(left -> teardown(left, goneTimeout, now))
                .orElseGet(Plan::new);
        return finishDown(teardown, before, now);
    }

    /**
     * After a failed {@code up}, first: the removal of whatever it built of the VM's gadget (no host block device is
     * flushed: the host never had the device long enough to write to it).
     */
    public Plan<StepContext> removeAfterFailedUp(VmId vmId, HostSnapshot now) {
        return now.ours(vmId).map(g -> teardown(g, GadgetConfig.DEFAULT_ENUMERATE_TIMEOUT, withoutDevices(now)))
                .orElseGet(Plan::new);
    }

    /** After a failed {@code up}, then: the modules it loaded, unloaded if no gadget at all is left. */
    public Plan<StepContext> unloadAfterFailedUp(List<String> loadedByUp, HostSnapshot now) {
        List<String> loaded = new ArrayList<>(loadedByUp.stream().filter(now::isLoaded).toList());
        Plan<StepContext> plan = new Plan<>();
        if (!loaded.isEmpty() && now.gadgets().isEmpty()) {
            Collections.reverse(loaded);
            plan.add(new Steps.UnloadModules(List.copyOf(loaded)));
        }
        return plan;
    }

    private static HostSnapshot withoutDevices(HostSnapshot host) {
        return new HostSnapshot(host.loadedModules(), host.configfsMounted(), host.udcs(), host.gadgets(), List.of());
    }

    private Plan<StepContext> finishDown(Plan<StepContext> teardown, ObservedGadget gadget, HostSnapshot host) {
        for (String file : gadget.backingFiles()) {
            Path image = gadget.dir().getFileSystem().getPath(file);
            if (Files.exists(image)) {
                teardown.add(new Steps.FlushImage(image));
            }
        }
        if (gadget.vmId().isPresent() && host.noGadgetBut(gadget.vmId().get())) {
            teardown.add(unloadGadgetModules());
        }
        return teardown;
    }

    /** Unloads the gadget modules, last loaded first. */
    private static Step<StepContext> unloadGadgetModules() {
        List<String> modules = new ArrayList<>(KernelModules.GADGET_MODULES);
        Collections.reverse(modules);
        return new Steps.UnloadModules(List.copyOf(modules));
    }

    private static Step<StepContext> write(Path attribute, String value) {
        return new Steps.WriteAttribute(attribute, value);
    }

    private static String bit(boolean value) {
        return value ? "1" : "0";
    }
}
