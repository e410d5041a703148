package io.github.pveusbgadget.gadget;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.config.ConfigStore;
import io.github.pveusbgadget.config.GadgetConfig;
import io.github.pveusbgadget.config.VmId;
import io.github.pveusbgadget.host.HostRoots;
import io.github.pveusbgadget.host.Poller;
import io.github.pveusbgadget.image.BackupJobs;
import io.github.pveusbgadget.image.BackupLauncher;
import io.github.pveusbgadget.image.ImageBackup;
import io.github.pveusbgadget.image.ImageGuard;
import io.github.pveusbgadget.image.ImageProblem;
import io.github.pveusbgadget.kernel.KernelModules;
import io.github.pveusbgadget.lock.HostLock;
import io.github.pveusbgadget.plan.Plan;
import io.github.pveusbgadget.plan.PlanExecutor;
import io.github.pveusbgadget.reap.StartMarkers;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
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
    /**
     * How long {@code down} and {@code backup} wait for the host lock ({@code up} waits only what its deadline
     * leaves).
     */
    public static final Duration LOCK_TIMEOUT = Duration.ofSeconds(90);
    /** What {@code up} may take beyond {@code enumerate_timeout}: the "few seconds" of PRODUCT.md. */
    public static final Duration SLACK = Duration.ofSeconds(5);
    /**
     * How long after {@code up} returned the reaper leaves a gadget without QEMU alone: Proxmox starts QEMU after
     * {@code pre-start}, and QEMU writes its pid file early in its start; a failed start is over well before this.
     */
    public static final Duration START_GRACE = Duration.ofSeconds(30);
    /** The least time left for the enumeration after waiting for the host lock. */
    private static final Duration MIN_ENUMERATION = Duration.ofSeconds(2);
    /** After a failed enumeration: how long to wait for the host lock to roll back before leaving it to the reaper. */
    private static final Duration ROLLBACK_LOCK_WAIT = Duration.ofSeconds(3);
    /**
     * How long {@code up} lets a running backup of its image finish, then at most how long it waits for it to give
     * up (it checks between blocks of 64 KiB, so it is usually gone at once; the wait is also bounded by what
     * the deadline leaves).
     */
    static final Duration BACKUP_FINISH_WAIT = Duration.ofSeconds(3);
    static final Duration BACKUP_QUIT_WAIT = Duration.ofSeconds(10);

    private final HostRoots roots;
    private final ConfigStore store;
    private final KernelModules modules;
    private final ImageGuard imageGuard;
    private final GadgetPlanner planner;
    private final PlanExecutor<StepContext> executor;
    private final Poller poller;
    private final ImageBackup backup;
    private final BackupJobs backups;
    private final BackupLauncher launcher;
    private final StartMarkers markers;
    private final Clock clock;

    public GadgetLifecycle(HostRoots roots, ConfigStore store, KernelModules modules, ImageGuard imageGuard,
                           PlanExecutor<StepContext> executor, Poller poller, Clock clock, BackupLauncher launcher) {
        this.roots = roots;
        this.store = store;
        this.modules = modules;
        this.imageGuard = imageGuard;
        this.planner = new GadgetPlanner(roots);
        this.executor = executor;
        this.poller = poller;
        this.clock = clock;
        this.backup = new ImageBackup(clock);
        this.backups = new BackupJobs(roots.stateDir(), roots.proc());
        this.launcher = launcher;
        this.markers = new StartMarkers(roots.stateDir());
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

    /**
     * Builds, binds and waits for the VM's gadget; on any failure removes what it made and throws. It runs while
     * Proxmox holds the VM's lock, so all of it fits in {@code enumerate_timeout} plus {@link #SLACK}: the wait for
     * the host lock and for a backup of the image come out of that time, and the wait for the host to enumerate the
     * drive (the long part) runs after the host lock is released, so one VM's enumeration does not hold up another's
     * start.
     */
    public void up(VmId vmId) {
        GadgetConfig config = store.load(vmId);
        long deadline = poller.nanoTime() + config.enumerateTimeout().plus(SLACK).toNanos();
        List<Steps.AwaitHostDevice> waits;
        List<String> loadedNow;
        try (HostLock lock = HostLock.acquire(roots.lockFile(), poller,
                atLeastOneSecond(remaining(deadline).minus(MIN_ENUMERATION)))) {
            HostSnapshot host = snapshot();
            refuse(problems(config, host));
            stopBackupOf(config, deadline);
            // Before anything is built: the reaper must see that this VM is starting, not orphaned.
            markers.keepUntil(vmId, clock.instant().plus(remaining(deadline)).plus(START_GRACE));
            GadgetPlanner.Preparation preparation = planner.prepare(host);
            loadedNow = preparation.modules();
            try {
                executor.apply("up", preparation.plan());
                // Loading dummy_hcd makes its UDCs: the gadget is planned from what the host shows after that.
                HostSnapshot prepared = preparation.plan().isEmpty() ? host : snapshot();
                Plan<StepContext> gadget = planner.gadget(config, prepared, false);
                executor.apply("up", gadget.filter(step -> !(step instanceof Steps.AwaitHostDevice)));
                waits = gadget.steps().stream().filter(Steps.AwaitHostDevice.class::isInstance)
                        .map(Steps.AwaitHostDevice.class::cast).toList();
            } catch (RuntimeException e) {
                rollBack(vmId, loadedNow);
                markers.remove(vmId);
                throw e;
            }
        }
        try {
            for (Steps.AwaitHostDevice wait : waits) {
                executor.apply("up", new Plan<StepContext>().add(wait.within(atLeastOneSecond(remaining(deadline)))));
            }
        } catch (RuntimeException e) {
            rollBackUnlocked(vmId, loadedNow);
            throw e;
        }
        // Proxmox starts QEMU now; until it has written its pid file the reaper leaves the gadget alone.
        markers.keepUntil(vmId, clock.instant().plus(START_GRACE));
        LOG.info("VM {}: gadget {} is up ({}, serial {})", vmId, GadgetLayout.nameOf(vmId), config.usbId(),
                config.serial());
    }

    /** After a failed enumeration, outside the host lock: take it again briefly, or leave the gadget to the reaper. */
    private void rollBackUnlocked(VmId vmId, List<String> loadedNow) {
        try (HostLock lock = HostLock.acquire(roots.lockFile(), poller, ROLLBACK_LOCK_WAIT)) {
            rollBack(vmId, loadedNow);
            markers.remove(vmId);
        } catch (ToolException busy) {
            markers.keepUntil(vmId, clock.instant());
            LOG.warn("warning: VM {}: {}; the reaper removes the gadget within a minute", vmId, busy.getMessage());
        }
    }

    /**
     * A backup of the image still running from the VM's last stop: given a moment to finish, then asked to give up
     * (it removes its partial copy; the older copies stay). Called under the host lock, under which a backup
     * registers, so no backup starts on the image between this and the build.
     */
    private void stopBackupOf(GadgetConfig config, long deadline) {
        Optional<BackupJobs.Job> job = backups.runningFor(config.image());
        if (job.isEmpty()) {
            return;
        }
        LOG.info("VM {}: a backup of {} is running (pid {}); waiting up to {} s for it", config.vmId(),
                config.image(), job.get().pid(), BACKUP_FINISH_WAIT.toSeconds());
        if (poller.await(() -> !backups.isAlive(job.get()), min(BACKUP_FINISH_WAIT, remaining(deadline)))) {
            return;
        }
        LOG.warn("warning: VM {}: abandoning the backup of {} (pid {}): the VM starts; the older copies are kept",
                config.vmId(), config.image(), job.get().pid());
        backups.cancel(job.get());
        if (!poller.await(() -> !backups.isAlive(job.get()), atLeastOneSecond(min(BACKUP_QUIT_WAIT,
                remaining(deadline).minus(MIN_ENUMERATION))))) {
            throw ToolException.refused("the backup of " + config.image() + " (pid " + job.get().pid()
                    + ") did not stop; a gadget must not serve an image while it is copied: wait for it to end or "
                    + "kill " + job.get().pid() + ", then start VM " + config.vmId() + " again");
        }
    }

    private Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - poller.nanoTime()));
    }

    private static Duration atLeastOneSecond(Duration duration) {
        return min(Duration.ofSeconds(1), duration) == duration ? Duration.ofSeconds(1) : duration;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** What {@code down} would do now, changing nothing. */
    public Plan<StepContext> planDown(VmId vmId) {
        HostSnapshot host = snapshot();
        return host.ours(vmId).map(gadget -> planner.down(gadget, goneTimeout(vmId), host))
                .orElseGet(() -> new Plan<StepContext>().note("VM " + vmId + " has no gadget "
                        + GadgetLayout.nameOf(vmId)));
    }

    /**
     * Unbinds and removes the VM's gadget and flushes its image; without a gadget it does nothing. With
     * {@code backup_keep} the copy then starts in the background ({@link BackupLauncher}): {@code post-stop} must
     * return in seconds.
     */
    public void down(VmId vmId) {
        boolean removed;
        try (HostLock lock = lockHost(LOCK_TIMEOUT)) {
            removed = downLocked(lock, vmId);
        }
        if (removed) {
            startBackup(vmId);
        }
    }

    /** The host-wide lock, waiting at most {@code timeout} for it. */
    public HostLock lockHost(Duration timeout) {
        return HostLock.acquire(roots.lockFile(), poller, timeout);
    }

    /**
     * {@code down} under the host lock ({@code held} is the proof): a step that fails does not end it: a stop must
     * not leave a half-removed gadget, and most failures here are of the moment (the host still holding the device, a
     * busy attribute). What is left is planned again from what configfs shows and applied once more, ending with the
     * image flush; only when that fails too does it fail. Returns whether there was a gadget to remove.
     */
    public boolean downLocked(HostLock held, VmId vmId) {
        HostSnapshot host = snapshot();
        Optional<ObservedGadget> gadget = host.ours(vmId);
        if (gadget.isEmpty()) {
            LOG.info("VM {}: no gadget, nothing to do", vmId);
            markers.remove(vmId);
            return false;
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
        markers.remove(vmId);
        LOG.info("VM {}: gadget {} removed", vmId, GadgetLayout.nameOf(vmId));
        return true;
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

    /** {@code backup_keep} after a stop: starts the copy in the background; never fails the stop. */
    public void startBackup(VmId vmId) {
        backupConfig(vmId).ifPresent(config -> launcher.start(vmId));
    }

    /**
     * {@code backup <vmid>}: copies the VM's image now (what the background job of a stop runs). Refused while a
     * gadget serves the image; gives up, removing its partial copy, when an {@code up} of the image asks it to.
     */
    public void backUpNow(VmId vmId) {
        GadgetConfig config = store.load(vmId);
        if (config.backupKeep() == 0) {
            LOG.info("VM {}: backup_keep is 0 in {}: no backup to make", vmId, config.source());
            return;
        }
        if (backupConfig(vmId).isEmpty()) {
            return; // said why
        }
        BackupJobs.Registration job;
        try (HostLock lock = lockHost(LOCK_TIMEOUT)) {
            for (ObservedGadget gadget : snapshot().gadgets()) {
                if (gadget.backingFiles().contains(config.image().toString())) {
                    throw ToolException.refused("not backing up " + config.image() + ": the gadget " + gadget.name()
                            + " serves it; a copy of a drive in use is not a backup (it is made after the VM stops)");
                }
            }
            job = backups.register(vmId, config.image());
        }
        try (job) {
            LOG.info("VM {}: backed up {} to {}", vmId, config.image(), backup.backUp(config.image(),
                    config.backupKeep(), job::cancelled).getFileName());
        } catch (ImageBackup.Abandoned abandoned) {
            LOG.warn("warning: VM {}: {}; the partial copy is removed, the older copies are kept", vmId,
                    abandoned.getMessage());
        } catch (IOException e) {
            throw ToolException.failed("VM " + vmId + ": backup of " + config.image() + " failed: "
                    + PlanExecutor.reason(e), e);
        }
    }

    /** The VM's config if it asks for backups of a regular file (a warning when the image is not one). */
    private Optional<GadgetConfig> backupConfig(VmId vmId) {
        GadgetConfig config;
        try {
            config = store.loadIfPresent(vmId).orElse(null);
        } catch (ToolException e) {
            return Optional.empty();
        }
        if (config == null || config.backupKeep() == 0) {
            return Optional.empty();
        }
        if (!Files.isRegularFile(config.image())) {
            LOG.warn("warning: backup_keep in {} is ignored: {} is not a regular file", config.source(),
                    config.image());
            return Optional.empty();
        }
        return Optional.of(config);
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
