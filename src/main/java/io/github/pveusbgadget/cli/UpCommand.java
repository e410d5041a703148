package io.github.pveusbgadget.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code up <vmid>}: build and bind the VM's gadget by hand. */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Build and bind the VM's gadget and wait until the host has enumerated it.")
final class UpCommand extends BaseCommand {
    @Mixin
    VmAndDryRun args;

    @Override
    public Integer call() {
        return LifecycleOperation.UP.run(this, args.vmId(), args.dryRun);
    }
}
