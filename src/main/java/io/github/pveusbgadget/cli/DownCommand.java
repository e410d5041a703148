package io.github.pveusbgadget.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code down <vmid>}: unbind and remove the VM's gadget by hand. */
@Command(name = "down", mixinStandardHelpOptions = true,
        description = "Unbind and remove the VM's gadget and flush its image; succeeds when there is none.")
final class DownCommand extends BaseCommand {
    @Mixin
    VmAndDryRun args;

    @Override
    public Integer call() {
        return LifecycleOperation.DOWN.run(this, args.vmId(), args.dryRun);
    }
}
