package io.github.pveusbgadget.cli;

import io.github.pveusbgadget.config.VmId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code down <vmid>}: unbind and remove the VM's gadget by hand. */
@Command(name = "down", mixinStandardHelpOptions = true,
        description = "Unbind and remove the VM's gadget and flush its image; succeeds when there is none.")
final class DownCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "VMID")
    String vmId;

    @Option(names = "--dry-run", description = "Change nothing; print the steps as a shell script.")
    boolean dryRun;

    @Override
    public Integer call() {
        return down(this, vmId(vmId), dryRun);
    }

    static int down(BaseCommand command, VmId vmId, boolean dryRun) {
        if (dryRun) {
            command.out().print(command.services().lifecycle().planDown(vmId)
                    .toShellScript("pve-usb-gadget down " + vmId + " (dry run): the steps it would take"));
        } else {
            command.services().lifecycle().down(vmId);
        }
        return 0;
    }
}
