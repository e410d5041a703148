package io.github.pveusbgadget.cli;

import io.github.pveusbgadget.config.VmId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code up <vmid>}: build and bind the VM's gadget by hand. */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Build and bind the VM's gadget and wait until the host has enumerated it.")
final class UpCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "VMID")
    String vmId;

    @Option(names = "--dry-run", description = "Change nothing; print the steps as a shell script.")
    boolean dryRun;

    @Override
    public Integer call() {
        return up(this, vmId(vmId), dryRun);
    }

    static int up(BaseCommand command, VmId vmId, boolean dryRun) {
        if (dryRun) {
            command.out().print(command.services().lifecycle().planUp(vmId)
                    .toShellScript("pve-usb-gadget up " + vmId + " (dry run): the steps it would take"));
        } else {
            command.services().lifecycle().up(vmId);
        }
        return 0;
    }
}
