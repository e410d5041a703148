package io.github.pveusbgadget.cli;

import io.github.pveusbgadget.config.VmId;
import io.github.pveusbgadget.gadget.GadgetLayout;
import io.github.pveusbgadget.proxmox.QmSet;
import io.github.pveusbgadget.wiring.DriveSetup;
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
        DriveSetup setup = services().driveSetup();
        DriveSetup.DetachPlan planned = setup.planDetach(id);
        if (args.dryRun) {
            out().print(planned.plan().toShellScript("detach " + id));
            return 0;
        }
        setup.apply("detach", planned.plan());
        planned.change().notes().forEach(note -> out().println("note: " + note));
        if (planned.change().isEmpty()) {
            out().println("VM " + id + ": nothing to detach");
        } else {
            out().println("ran " + new QmSet(id, planned.change().options()).commandLine());
        }
        if (services().snapshot().ours(id).isPresent()) {
            out().println("note: gadget " + GadgetLayout.nameOf(id) + " is still up and no hookscript will take it "
                    + "down now: after VM " + id + " stops, run: pve-usb-gadget down " + id);
        }
        planned.config().ifPresent(c -> out().println("kept " + c.source()
                + " (the drive's identity; attach reuses it)"));
        return 0;
    }
}
