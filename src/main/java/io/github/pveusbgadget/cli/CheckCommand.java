package io.github.pveusbgadget.cli;

import io.github.pveusbgadget.check.Preflight;
import java.io.IOException;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code check [<vmid>]}: the preflight, printing what to fix. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Preflight: modules, configfs, free UDC, config, image, and the VM's usbN entry (or USB mapping), "
                + "boot order and hookscript.",
            "In a cluster it also writes this node's report to /etc/pve/nodes/<node>/pve-usb-gadget.json and says, "
                    + "from the other nodes' reports, what each of them lacks to start the VM."})
final class CheckCommand extends BaseCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "VMID")
    String vmId;

    @Override
    public Integer call() throws IOException {
        Services services = services();
        Preflight preflight = new Preflight(services.store(), services.modules(), services.lifecycle(),
                services.environment().runner(), services.roots(), services.cluster(), services.environment().clock(),
                new RootCommand.Version().getVersion()[0]);
        int worst = 0;
        for (Preflight.Finding finding : preflight.run(Optional.ofNullable(vmId).map(BaseCommand::vmId))) {
            if (finding.skipped()) {
                out().println("skip  " + finding.what());
            } else if (finding.severity() == 0) {
                out().println("ok    " + finding.what());
            } else {
                out().println("FAIL  " + finding.what() + (finding.fix().isEmpty() ? "" : ": " + finding.fix()));
                worst = Math.max(worst, finding.severity());
            }
        }
        return worst;
    }
}
