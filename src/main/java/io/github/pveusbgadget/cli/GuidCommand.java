package io.github.pveusbgadget.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code guid <vmid>}: the unRAID GUID the VM will see. */
@Command(name = "guid", mixinStandardHelpOptions = true,
        description = "Print the unRAID flash GUID the VM will see, as unRAID shows it (VVVV-PPPP-SSSS-SSSSSSSSSSSS).")
final class GuidCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "VMID")
    String vmId;

    @Override
    public Integer call() {
        out().println(services().store().load(vmId(vmId)).unraidGuid());
        return 0;
    }
}
