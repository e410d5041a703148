package io.github.pveusbgadget.cli;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.config.GadgetConfig;
import io.github.pveusbgadget.config.VmId;
import io.github.pveusbgadget.gadget.GadgetLayout;
import io.github.pveusbgadget.plan.Shell;
import io.github.pveusbgadget.proxmox.Qm;
import io.github.pveusbgadget.proxmox.VmConfig;
import io.github.pveusbgadget.proxmox.VmWiring;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code detach <vmid>}: undoes {@code attach} in the VM's Proxmox configuration. */
@Command(name = "detach", mixinStandardHelpOptions = true,
        description = {"Undo attach: qm set --delete the VM's usbN for its drive and our hookscript, and take usbN "
                + "out of the boot order.",
            "<vmid>.conf (the drive's identity) and the shim in the snippets storage (other VMs may use it) stay."})
final class DetachCommand extends BaseCommand {
    @Mixin
    VmAndDryRun args;

    @Override
    public Integer call() {
        VmId id = args.vmId();
        Services services = services();
        Qm qm = new Qm(services.environment().runner());
        qm.requireAvailable("detach", "qm");
        Optional<GadgetConfig> config;
        try {
            config = services.store().loadIfPresent(id);
        } catch (ToolException e) {
            throw ToolException.badInput(e.getMessage() + " (detach needs it to find the VM's usbN)");
        }
        VmConfig vm = qm.config(id);
        VmWiring.Change change = VmWiring.planDetach(id, vm, config.map(c -> c.usbId().toString()));
        if (args.dryRun) {
            StringBuilder script = new StringBuilder("#!/bin/sh\n# pve-usb-gadget detach " + id
                    + " (dry run): the steps it would take\n");
            change.notes().forEach(note -> script.append("# ").append(note).append('\n'));
            script.append("set -eu\n").append(change.isEmpty() ? "# qm set: nothing to change"
                    : Shell.join(Qm.setCommand(id, change.options()))).append('\n');
            out().print(script);
            return 0;
        }
        change.notes().forEach(note -> out().println("note: " + note));
        if (change.isEmpty()) {
            out().println("VM " + id + ": nothing to detach");
        } else {
            qm.set(id, change.options());
            out().println("ran " + Shell.join(Qm.setCommand(id, change.options())));
        }
        if (services.inspector().ours(id).isPresent()) {
            out().println("note: gadget " + GadgetLayout.nameOf(id) + " is still up and no hookscript will take it "
                    + "down now: after VM " + id + " stops, run: pve-usb-gadget down " + id);
        }
        config.ifPresent(c -> out().println("kept " + c.source() + " (the drive's identity; attach reuses it)"));
        return 0;
    }
}
