package io.github.pveusbgadget.reap;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.config.VmId;
import io.github.pveusbgadget.gadget.GadgetLayout;
import io.github.pveusbgadget.gadget.GadgetLifecycle;
import io.github.pveusbgadget.gadget.HostSnapshot;
import io.github.pveusbgadget.gadget.ObservedGadget;
import io.github.pveusbgadget.gadget.StepContext;
import io.github.pveusbgadget.lock.HostLock;
import io.github.pveusbgadget.plan.Plan;
import io.github.pveusbgadget.plan.Shell;
import io.github.pveusbgadget.plan.Step;
import io.github.pveusbgadget.proxmox.LocalVm;
import io.github.pveusbgadget.proxmox.VmConfigLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code reap}: removes every gadget of ours whose VM does not run here, as {@code post-stop} would have (after a start
 * that failed once {@code pre-start} had built the drive, or a stop whose {@code post-stop} never came), and forgets
 * stale start markers. "Runs" is qemu-server's own test ({@link LocalVm}); a VM whose {@code up} has just run counts
 * as starting while Proxmox holds its config lock (a start in progress) and until its marker's time
 * ({@link ReapVerdict}). The decisions are taken and applied under the host
 * lock, which every {@code up} holds while it writes its marker and builds, so a start cannot slip in between.
 * The .deb's timer runs it every 15 s.
 */
public final class Reaper {
    private static final Logger LOG = LoggerFactory.getLogger(Reaper.class);
    /** A reaper that cannot get the lock leaves it to its next run. */
    private static final Duration LOCK_WAIT = Duration.ofSeconds(30);

    private final GadgetLifecycle lifecycle;
    private final LocalVm localVm;
    private final VmConfigLock configLock;
    private final StartMarkers markers;
    private final Clock clock;

    public Reaper(GadgetLifecycle lifecycle, LocalVm localVm, VmConfigLock configLock, StartMarkers markers,
                  Clock clock) {
        this.lifecycle = lifecycle;
        this.localVm = localVm;
        this.configLock = configLock;
        this.markers = markers;
        this.clock = clock;
    }

    /** The verdict for every VM with a gadget or a start marker ({@code only}: just that VM), by vmid. */
    public List<ReapVerdict> verdicts(HostSnapshot host, Optional<VmId> only) {
        TreeSet<VmId> vms = new TreeSet<>(markers.vms());
        for (ObservedGadget gadget : host.gadgets()) {
            GadgetLayout.vmIdOf(gadget.name()).ifPresent(vms::add);
        }
        List<ReapVerdict> verdicts = new ArrayList<>();
        for (VmId vmId : vms) {
            if (only.isEmpty() || only.get().equals(vmId)) {
                verdicts.add(ReapVerdict.of(vmId, host.ours(vmId).isPresent(), localVm.qemuPid(vmId),
                        configLock.isHeld(vmId), markers.keptUntil(vmId), clock.instant(),
                        localVm.pidFile(vmId).toString()));
            }
        }
        return verdicts;
    }

    /** What {@code reap} would do now, changing nothing: each verdict as a note, the teardowns as steps. */
    public Plan<StepContext> plan(Optional<VmId> only) {
        Plan<StepContext> plan = new Plan<>();
        for (ReapVerdict verdict : verdicts(lifecycle.snapshot(), only)) {
            plan.note(verdict.reason());
            switch (verdict.action()) {
                case REAP -> plan.addAll(lifecycle.planDown(verdict.vmId()));
                case FORGET -> plan.add(new ForgetMarker(markers.fileOf(verdict.vmId())));
                case KEEP -> { }
            }
        }
        return plan;
    }

    /** Applies the verdicts; returns how many gadgets it removed. Quiet when there is nothing to do. */
    public int reap(Optional<VmId> only) {
        if (verdicts(lifecycle.snapshot(), only).stream().allMatch(v -> v.action() == ReapVerdict.Action.KEEP)) {
            return 0; // the timer's usual run: nothing to do, not even the lock to take
        }
        List<VmId> reaped = new ArrayList<>();
        ToolException failure = null;
        try (HostLock lock = lifecycle.lockHost(LOCK_WAIT)) {
            for (ReapVerdict verdict : verdicts(lifecycle.snapshot(), only)) {
                switch (verdict.action()) {
                    case REAP -> {
                        LOG.info("{}: removing it", verdict.reason());
                        try {
                            lifecycle.downLocked(lock, verdict.vmId());
                            reaped.add(verdict.vmId());
                        } catch (ToolException e) {
                            failure = e; // the others still go
                        }
                    }
                    case FORGET -> {
                        LOG.debug(verdict.reason());
                        markers.remove(verdict.vmId());
                    }
                    case KEEP -> LOG.debug("{}: kept", verdict.reason());
                }
            }
        }
        reaped.forEach(lifecycle::startBackup);
        if (failure != null) {
            throw failure;
        }
        return reaped.size();
    }

    /** Removes a stale start marker. */
    record ForgetMarker(Path marker) implements Step<Object> {
        @Override
        public String describe() {
            return "remove the stale start marker " + marker;
        }

        @Override
        public List<String> shell() {
            return List.of("rm -f " + Shell.quote(marker.toString()));
        }

        @Override
        public void apply(Object context) throws IOException {
            Files.deleteIfExists(marker);
        }
    }
}
