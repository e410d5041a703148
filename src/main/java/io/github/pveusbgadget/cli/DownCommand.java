package io.github.pveusbgadget.cli;

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
        return LifecycleOperation.DOWN.run(this, vmId(vmId), dryRun);
    }
}
