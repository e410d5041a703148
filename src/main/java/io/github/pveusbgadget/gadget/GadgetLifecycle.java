package io.github.pveusbgadget.gadget;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.config.ConfigStore;
import io.github.pveusbgadget.config.GadgetConfig;
import io.github.pveusbgadget.config.MaxSpeed;
import io.github.pveusbgadget.config.UsbId;
import io.github.pveusbgadget.config.VmId;
import io.github.pveusbgadget.host.HostRoots;
import io.github.pveusbgadget.host.Poller;
import io.github.pveusbgadget.image.ImageBackup;
import io.github.pveusbgadget.image.ImageGuard;
import io.github.pveusbgadget.image.ImageProblem;
import io.github.pveusbgadget.kernel.HostUsbBus;
import io.github.pveusbgadget.kernel.HostUsbDevice;
import io.github.pveusbgadget.kernel.KernelModules;
import io.github.pveusbgadget.kernel.MountTable;
import io.github.pveusbgadget.kernel.Udc;
import io.github.pveusbgadget.kernel.UdcRegistry;
import io.github.pveusbgadget.lock.HostLock;
import io.github.pveusbgadget.plan.Plan;
import io.github.pveusbgadget.plan.PlanExecutor;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code up} and {@code down} of a VM's gadget: the refusals, the host-wide lock, planning against what the host
 * shows, applying, and rolling back a failed {@code up} so that it leaves nothing behind.
 */
public final class GadgetLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(GadgetLifecycle.class);
    /** How long {@code up}/{@code down} wait for another one to finish: below Proxmox's own hook patience. */
    public static final Duration LOCK_TIMEOUT = Duration.ofSeconds(90);

    private final HostRoots roots;
    private final ConfigStore store;
    private final KernelModules modules;
    private final UdcRegistry udcs;
    private final HostUsbBus usb;
    private final GadgetInspector inspector;
    private final ImageGuard imageGuard;
    private final GadgetPlanner planner;
    private final PlanExecutor<StepContext> executor;
    private final Poller poller;
    private final ImageBackup backup;

    public GadgetLifecycle(HostRoots roots, ConfigStore store, KernelModules modules, UdcRegistry udcs, HostUsbBus usb,
                           GadgetInspector inspector, ImageGuard imageGuard, PlanExecutor<StepContext> executor, Poller poller,
                           ImageBackup backup) {
        this.roots = roots;
        this.store = store;
        this.modules = modules;
        this.udcs = udcs;
        this.usb = usb;
        this.inspector = inspector;
        this.imageGuard = imageGuard;
        this.planner = new GadgetPlanner(roots);
        this.executor = executor;
        this.poller = poller;
        this.backup = backup;
    }

    /** What {@code up} would do now, changing nothing. */
    public Plan<StepContext> planUp(VmId vmId) {
        GadgetConfig config = store.load(vmId);
        refuseConflicts(config);
        Plan<StepContext> plan = prepare();
        return plan.addAll(gadgetPlan(config, !modules.isLoaded("dummy_hcd")));
    }

    /** Builds, binds and waits for the VM's gadget; on any failure removes what it made and throws. */
    public void up(VmId vmId) {
        GadgetConfig config = store.load(vmId);
        try (HostLock lock = HostLock.acquire(roots.lockFile(), poller, LOCK_TIMEOUT)) {
            refuseConflicts(config);
            Plan<StepContext> prepare = prepare();
            List<String> loadedNow = prepare.steps().stream()
                    .filter(Steps.LoadModule.class::isInstance)
                    .map(step -> ((Steps.LoadModule) step).module())
                    .toList();
            try {
                executor.apply("up", prepare);
                executor.apply("up", gadgetPlan(config, false));
            } catch (RuntimeException e) {
                rollBack(vmId, loadedNow);
                throw e;
            }
            LOG.info("VM {}: gadget {} is up ({}, serial {})", vmId, GadgetLayout.nameOf(vmId), config.usbId(),
                    config.serial());
        }
    }

    /** What {@code down} would do now, changing nothing. */
    public Plan<StepContext> planDown(VmId vmId) {
        Optional<ObservedGadget> gadget = inspector.ours(vmId);
        if (gadget.isEmpty()) {
            return new Plan<StepContext>().note("VM " + vmId + " has no gadget " + GadgetLayout.nameOf(vmId));
        }
        return planDown(vmId, gadget.get());
    }

    private Plan<StepContext> planDown(VmId vmId, ObservedGadget gadget) {
        return planner.down(gadget, goneTimeout(vmId), hostBlockDevices(gadget), noOtherGadget(vmId));
    }

    /**
     * Unbinds and removes the VM's gadget and flushes its image; without a gadget it does nothing. A step that fails
     * does not end it: a stop must not leave a half-removed gadget, and most failures here are of the moment (the
     * host still holding the device, a busy attribute). What is left is planned again from what configfs shows and
     * applied once more, ending with the image flush; only when that fails too does {@code down} fail.
     */
    public void down(VmId vmId) {
        try (HostLock lock = HostLock.acquire(roots.lockFile(), poller, LOCK_TIMEOUT)) {
            Optional<ObservedGadget> gadget = inspector.ours(vmId);
            if (gadget.isEmpty()) {
                LOG.info("VM {}: no gadget, nothing to do", vmId);
                return;
            }
            try {
                executor.apply("down", planDown(vmId, gadget.get()));
            } catch (ToolException failed) {
                LOG.warn("VM {}: {}; taking down what is left", vmId, failed.getMessage());
                try {
                    executor.apply("down", planRestOfDown(vmId, gadget.get()));
                } catch (ToolException again) {
                    throw ToolException.failed(again.getMessage() + "; run 'pve-usb-gadget down " + vmId + "' again",
                            again);
                }
            }
            LOG.info("VM {}: gadget {} removed", vmId, GadgetLayout.nameOf(vmId));
            backUp(vmId);
        }
    }

    /** The rest of a {@code down} whose step failed: the teardown of what is left, then the flush of the images. */
    private Plan<StepContext> planRestOfDown(VmId vmId, ObservedGadget before) {
        Plan<StepContext> teardown = inspector.ours(vmId)
                .map(now -> planner.teardown(now, goneTimeout(vmId), hostBlockDevices(now)))
                .orElseGet(Plan::new);
        return planner.finishDown(teardown, before, noOtherGadget(vmId));
    }

    private boolean noOtherGadget(VmId vmId) {
        String ours = GadgetLayout.nameOf(vmId);
        return inspector.all().stream().allMatch(g -> g.name().equals(ours));
    }

    /** {@code backup_keep}: never fails the stop, but says so when it cannot back up. */
    private void backUp(VmId vmId) {
        GadgetConfig config;
        try {
            config = store.loadIfPresent(vmId).orElse(null);
        } catch (ToolException e) {
            return;
        }
        if (config == null || config.backupKeep() == 0) {
            return;
        }
        if (!Files.isRegularFile(config.image())) {
            LOG.warn("warning: backup_keep in {} is ignored: {} is not a regular file", config.source(),
                    config.image());
            return;
        }
        try {
            LOG.info("VM {}: backed up {} to {}", vmId, config.image(), backup.backUp(config.image(),
                    config.backupKeep()).getFileName());
        } catch (IOException | RuntimeException e) {
            LOG.warn("warning: VM {}: backup of {} failed, the stop goes on: {}", vmId, config.image(),
                    e.getMessage());
        }
    }

    private Plan<StepContext> prepare() {
        boolean configfsMounted = MountTable.read(roots.mountInfo()).hasMount(roots.configfs(), "configfs");
        return planner.prepare(modules::isLoaded, configfsMounted);
    }

    /** The gadget part of {@code up}: nothing if it is already right, else remove any leftover and build. */
    private Plan<StepContext> gadgetPlan(GadgetConfig config, boolean predictUdc) {
        GadgetLayout layout = new GadgetLayout(roots.gadgetRoot(), config.vmId());
        Optional<ObservedGadget> existing = inspector.ours(config.vmId());
        if (existing.isPresent() && GadgetSpec.satisfies(existing.get(), config, layout)) {
            Optional<Udc> udc = udcs.find(existing.get().udc());
            if (udc.isPresent()) {
                return new Plan<StepContext>().note("gadget " + layout.name() + " is already up on " + udc.get().name())
                        .add(planner.awaitEnumeration(config, udc.get()));
            }
        }
        Plan<StepContext> plan = new Plan<StepContext>();
        existing.ifPresent(leftover -> plan.note("removing the leftover gadget " + layout.name() + " first")
                .addAll(planner.teardown(leftover, config.enumerateTimeout(), hostBlockDevices(leftover))));
        Udc udc = chooseUdc(config, existing, predictUdc);
        MaxSpeed speed = config.maxSpeed().orElse(MaxSpeed.SUPER.offeredBy(udc.maximumSpeed())
                ? MaxSpeed.SUPER : MaxSpeed.HIGH);
        return plan.addAll(planner.build(new GadgetSpec(layout, config, udc, speed, predictUdc)));
    }

    private Udc chooseUdc(GadgetConfig config, Optional<ObservedGadget> ours, boolean predict) {
        if (predict) {
            return new Udc(Udc.PREFIX + "0", 0, "super-speed");
        }
        List<Udc> all = udcs.dummyUdcs();
        if (all.isEmpty()) {
            throw ToolException.refused("dummy_hcd is loaded but offers no UDC in " + roots.sysfs().resolve("class/udc")
                    + "; reload it: modprobe -r dummy_hcd && modprobe dummy_hcd");
        }
        Set<String> taken = inspector.all().stream()
                .filter(g -> ours.isEmpty() || !g.dir().equals(ours.get().dir()))
                .map(ObservedGadget::udc)
                .filter(name -> !name.isBlank())
                .collect(Collectors.toSet());
        return all.stream().filter(udc -> !taken.contains(udc.name())).findFirst().orElseThrow(() ->
                ToolException.refused("no free dummy UDC for VM " + config.vmId() + ": all " + all.size()
                        + " are bound; raise num in /etc/modprobe.d/pve-usb-gadget.conf (options dummy_hcd num="
                        + Math.min(32, all.size() * 2) + ") and reload dummy_hcd while no VM uses it"));
    }

    /** The refusals that protect the image and the VM's identity, checked before anything changes. */
    private void refuseConflicts(GadgetConfig config) {
        List<ImageProblem> problems = problems(config);
        if (!problems.isEmpty()) {
            throw problems.get(0).toException();
        }
    }

    /**
     * Everything that forbids {@code up} of {@code config} now: the image's problems, and a VID:PID that a bound
     * gadget or a physical device of the host already has (QEMU passes a device through by VID:PID).
     */
    public List<ImageProblem> problems(GadgetConfig config) {
        List<ImageProblem> problems = new ArrayList<>(imageGuard.problems(config));
        String ours = GadgetLayout.nameOf(config.vmId());
        for (ObservedGadget other : inspector.all()) {
            if (!other.name().equals(ours) && other.isBound()
                    && sameId(other.idVendor(), config.usbId().vendorId())
                    && sameId(other.idProduct(), config.usbId().productId())) {
                problems.add(new ImageProblem(false, "VID:PID " + config.usbId() + " of VM " + config.vmId()
                        + " is already used by the bound gadget " + other.name() + "; QEMU would hand the VM the wrong"
                        + " drive: give it another product_id in " + config.source()));
            }
        }
        for (HostUsbDevice device : usb.devices()) {
            if (device.controller().isEmpty() && device.usbId().equals(config.usbId().toString())) {
                problems.add(new ImageProblem(false, "VID:PID " + config.usbId() + " of VM " + config.vmId()
                        + " is also the host's USB device " + device.name() + "; QEMU would hand the VM the wrong"
                        + " device: give it another product_id in " + config.source()));
            }
        }
        return problems;
    }

    private static boolean sameId(String attribute, int id) {
        try {
            return Integer.decode(attribute) == id;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The block devices ({@code sdX}) the host made of a bound gadget. */
    private List<String> hostBlockDevices(ObservedGadget gadget) {
        int index = Udc.indexOf(gadget.udc());
        if (index < 0) {
            return List.of();
        }
        try {
            UsbId usbId = new UsbId(Integer.decode(gadget.idVendor()), Integer.decode(gadget.idProduct()));
            return usb.find(usbId, gadget.serial(), "dummy_hcd." + index).map(usb::blockDevicesOf).orElse(List.of());
        } catch (IllegalArgumentException e) {
            return List.of();
        }
    }

    private Duration goneTimeout(VmId vmId) {
        try {
            return store.loadIfPresent(vmId).map(GadgetConfig::enumerateTimeout)
                    .orElse(GadgetConfig.DEFAULT_ENUMERATE_TIMEOUT);
        } catch (ToolException e) {
            // A broken config must not keep a gadget alive: take it down with the default timeout.
            return GadgetConfig.DEFAULT_ENUMERATE_TIMEOUT;
        }
    }

    /** After a failed {@code up}: remove our gadget and the modules this call loaded, if nothing else needs them. */
    private void rollBack(VmId vmId, List<String> loadedNow) {
        LOG.warn("VM {}: up failed, removing what it made", vmId);
        try {
            inspector.ours(vmId).ifPresent(g -> executor.applyBestEffort(
                    planner.teardown(g, GadgetConfig.DEFAULT_ENUMERATE_TIMEOUT, List.of())));
            List<String> loaded = loadedNow.stream().filter(modules::isLoaded).toList();
            if (!loaded.isEmpty() && !inspector.anyGadget()) {
                List<String> unload = new ArrayList<>(loaded);
                Collections.reverse(unload);
                executor.applyBestEffort(new Plan<StepContext>().add(new Steps.UnloadModules(unload)));
            }
        } catch (RuntimeException e) {
            // The user must see why up failed, not why the clean-up after it did; the next up/down repairs.
            LOG.warn("warning: VM {}: clean-up after the failed up stopped: {}", vmId, e.getMessage());
        }
    }
}
