package io.github.pveusbgadget.gadget;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.config.ConfigStore;
import io.github.pveusbgadget.config.GadgetConfig;
import io.github.pveusbgadget.config.VmId;
import io.github.pveusbgadget.host.HostRoots;
import io.github.pveusbgadget.host.Poller;
import io.github.pveusbgadget.image.ImageBackup;
import io.github.pveusbgadget.image.ImageGuard;
import io.github.pveusbgadget.image.ImageProblem;
import io.github.pveusbgadget.kernel.KernelModules;
import io.github.pveusbgadget.lock.HostLock;
import io.github.pveusbgadget.plan.Plan;
import io.github.pveusbgadget.plan.PlanExecutor;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code up} and {@code down} of a VM's gadget, as a thin sequence over the {@link GadgetPlanner}: take the host-wide
 * lock, read a {@link HostSnapshot}, refuse what the problems forbid, apply the plan, and after a failure apply the
 * planned clean-up. Every decision is the planner's (or, for the image, the {@link ImageGuard}'s).
 */
public final class GadgetLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(GadgetLifecycle.class);
    /** How long {@code up}/{@code down} wait for another one to finish: below Proxmox's own hook patience. */
    public static final Duration LOCK_TIMEOUT = Duration.ofSeconds(90);

    private final HostRoots roots;
    private final ConfigStore store;
    private final KernelModules modules;
    private final ImageGuard imageGuard;
    private final GadgetPlanner planner;
    private final PlanExecutor<StepContext> executor;
    private final Poller poller;
    private final ImageBackup backup;

    public GadgetLifecycle(HostRoots roots, ConfigStore store, KernelModules modules, ImageGuard imageGuard,
                           PlanExecutor<StepContext> executor, Poller poller, ImageBackup backup) {
        this.roots = roots;
        this.store = store;
        this.modules = modules;
        this.imageGuard = imageGuard;
        this.planner = new GadgetPlanner(roots);
        this.executor = executor;
        this.poller = poller;
        this.backup = backup;
    }

    /** What the host shows now. */
    public HostSnapshot snapshot() {
        return HostSnapshot.read(roots, modules);
    }

    /**
     * The refusal of a {@code pre-start} that is the target of a live migration ({@code source}: the node Proxmox
     * names in {@code PVE_MIGRATED_FROM}). The drive cannot go along: until the migration ends, the VM still runs on
     * the source node with that node's gadget on the image. A second gadget here would be a second writer if the
     * image is on shared storage (a FAT file system does not survive two), and a different disk under the running
     * guest if it is not. So the start is refused, which makes Proxmox abort the migration and leaves the VM
     * running where it was.
     */
    public void refuseLiveMigration(VmId id, Optional<String> source) {
        if (source.isEmpty()) {
            return;
        }
        String image;
        try {
            image = store.loadIfPresent(id).map(config -> " (image " + config.image() + ")").orElse("");
        } catch (ToolException unreadableConfig) {
            image = ""; // the migration is the reason to refuse; the config's own problem is reported at the next start
        }
        throw ToolException.refused("VM " + id + " is being live-migrated here from node " + source.get()
                + ": its USB drive" + image + " cannot move with a running VM, because the gadget on "
                + source.get() + " still serves the image until the VM stops there; migrate it offline instead: "
                + "shut VM " + id + " down, 'qm migrate " + id + " <target>', then start it");
    }

    /** What {@code up} would do now, changing nothing. */
    public Plan<StepContext> planUp(VmId vmId) {
        GadgetConfig config = store.load(vmId);
        HostSnapshot host = snapshot();
        refuse(problems(config, host));
        return new Plan<StepContext>().addAll(planner.prepare(host).plan())
                .addAll(planner.gadget(config, host, !host.isLoaded("dummy_hcd")));
    }

    /** Builds, binds and waits for the VM's gadget; on any failure removes what it made and throws. */
    public void up(VmId vmId) {
        GadgetConfig config = store.load(vmId);
        try (HostLock lock = HostLock.acquire(roots.lockFile(), poller, LOCK_TIMEOUT)) {
            HostSnapshot host = snapshot();
            refuse(problems(config, host));
            GadgetPlanner.Preparation preparation = planner.prepare(host);
            try {
                executor.apply("up", preparation.plan());
                // Loading dummy_hcd makes its UDCs: the gadget is planned from what the host shows after that.
                HostSnapshot prepared = preparation.plan().isEmpty() ? host : snapshot();
                executor.apply("up", planner.gadget(config, prepared, false));
            } catch (RuntimeException e) {
                rollBack(vmId, preparation.modules());
                throw e;
            }
            LOG.info("VM {}: gadget {} is up ({}, serial {})", vmId, GadgetLayout.nameOf(vmId), config.usbId(),
                    config.serial());
        }
    }

    /** What {@code down} would do now, changing nothing. */
    public Plan<StepContext> planDown(VmId vmId) {
        HostSnapshot host = snapshot();
        return host.ours(vmId).map(gadget -> planner.down(gadget, goneTimeout(vmId), host))
                .orElseGet(() -> new Plan<StepContext>().note("VM " + vmId + " has no gadget "
                        + GadgetLayout.nameOf(vmId)));
    }

    /**
     * Unbinds and removes the VM's gadget and flushes its image; without a gadget it does nothing. A step that fails
     * does not end it: a stop must not leave a half-removed gadget, and most failures here are of the moment (the
     * host still holding the device, a busy attribute). What is left is planned again from what configfs shows and
     * applied once more, ending with the image flush; only when that fails too does {@code down} fail.
     */
    public void down(VmId vmId) {
        try (HostLock lock = HostLock.acquire(roots.lockFile(), poller, LOCK_TIMEOUT)) {
            HostSnapshot host = snapshot();
            Optional<ObservedGadget> gadget = host.ours(vmId);
            if (gadget.isEmpty()) {
                LOG.info("VM {}: no gadget, nothing to do", vmId);
                return;
            }
            Duration timeout = goneTimeout(vmId);
            try {
                executor.apply("down", planner.down(gadget.get(), timeout, host));
            } catch (ToolException failed) {
                LOG.warn("VM {}: {}; taking down what is left", vmId, failed.getMessage());
                try {
                    executor.apply("down", planner.restOfDown(vmId, gadget.get(), timeout, snapshot()));
                } catch (ToolException again) {
                    throw ToolException.failed(again.getMessage() + "; run 'pve-usb-gadget down " + vmId + "' again",
                            again);
                }
            }
            LOG.info("VM {}: gadget {} removed", vmId, GadgetLayout.nameOf(vmId));
            backUp(vmId);
        }
    }

    /**
     * Everything that forbids {@code up} of {@code config} now: the image's problems, and the planner's conflicts
     * (a VID:PID another bound gadget or a host device has).
     */
    public List<ImageProblem> problems(GadgetConfig config, HostSnapshot host) {
        List<ImageProblem> problems = new ArrayList<>(imageGuard.problems(config, host.gadgets()));
        problems.addAll(planner.conflicts(config, host));
        return problems;
    }

    private static void refuse(List<ImageProblem> problems) {
        if (!problems.isEmpty()) {
            throw problems.get(0).toException();
        }
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
            executor.applyBestEffort(planner.removeAfterFailedUp(vmId, snapshot()));
            executor.applyBestEffort(planner.unloadAfterFailedUp(loadedNow, snapshot()));
        } catch (RuntimeException e) {
            // The user must see why up failed, not why the clean-up after it did; the next up/down repairs.
            LOG.warn("warning: VM {}: clean-up after the failed up stopped: {}", vmId, e.getMessage());
        }
    }
}
