package io.github.pveusbgadget.cli;

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
        return LifecycleOperation.UP.run(this, vmId(vmId), dryRun);
    }
}
