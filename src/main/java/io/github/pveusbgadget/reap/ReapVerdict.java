package io.github.pveusbgadget.reap;

import io.github.pveusbgadget.config.VmId;
import java.time.Instant;
import java.util.Optional;

/**
 * What the reaper does about one VM, and why: the whole rule of "a gadget never outlives its VM" in one pure
 * function ({@link #of}).
 *
 * @param vmId   the VM
 * @param action what to do
 * @param reason one line for the log and the dry-run script
 */
public record ReapVerdict(VmId vmId, Action action, String reason) {

    /** What the reaper does. */
    public enum Action {
        /** Leave the gadget (its VM runs, or is starting). */
        KEEP,
        /** Take the gadget down, as {@code post-stop} would have. */
        REAP,
        /** No gadget, VM not running, start marker expired: drop the marker. */
        FORGET
    }

    /**
     * The verdict for VM {@code vmId}.
     *
     * @param hasGadget whether configfs has {@code pve-usb-gadget-<vmid>}
     * @param qemuPid   the VM's QEMU as qemu-server's {@code vm_running_locally} finds it
     * @param vmLocked  whether Proxmox holds the VM's config lock (a start, stop or migration in progress)
     * @param keptUntil the start marker's time, if there is one
     * @param pidFile   the pid file looked at (for the reason)
     */
    public static ReapVerdict of(VmId vmId, boolean hasGadget, Optional<Long> qemuPid, boolean vmLocked,
                                 Optional<Instant> keptUntil, Instant now, String pidFile) {
        if (qemuPid.isPresent()) {
            return new ReapVerdict(vmId, Action.KEEP, "VM " + vmId + " runs (QEMU pid " + qemuPid.get() + ")");
        }
        if (vmLocked) {
            return new ReapVerdict(vmId, Action.KEEP, "Proxmox holds VM " + vmId + "'s config lock (a start, stop "
                    + "or migration is in progress)");
        }
        if (keptUntil.isPresent() && now.isBefore(keptUntil.get())) {
            return new ReapVerdict(vmId, Action.KEEP, "VM " + vmId + " is starting (its up was at most "
                    + "moments ago; QEMU is expected by " + keptUntil.get() + ")");
        }
        if (!hasGadget) {
            return new ReapVerdict(vmId, Action.FORGET, "VM " + vmId + " has no gadget and does not run: its start "
                    + "marker is stale");
        }
        return new ReapVerdict(vmId, Action.REAP, "VM " + vmId + " does not run (no QEMU behind " + pidFile + ")"
                + (keptUntil.isPresent() ? " and its start is over" : "") + ": its gadget is an orphan");
    }
}
