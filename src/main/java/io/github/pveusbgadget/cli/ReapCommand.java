package io.github.pveusbgadget.cli;

import io.github.pveusbgadget.config.VmId;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code reap [<vmid>]}: what the .deb's timer runs every 15 s. */
@Command(name = "reap", mixinStandardHelpOptions = true,
        description = {"Remove every gadget whose VM does not run here (no QEMU behind /var/run/qemu-server/<vmid>.pid,"
                + " as qemu-server decides it) and whose start is over: after a failed start or a lost post-stop. "
                + "Run every 15 s by pve-usb-gadget-reap.timer."})
final class ReapCommand extends BaseCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "VMID", description = "Only this VM.")
    String vmId;

    @Option(names = "--dry-run", description = "Change nothing; print the verdicts and steps as a shell script.")
    boolean dryRun;

    @Override
    public Integer call() {
        Optional<VmId> only = Optional.ofNullable(vmId).map(BaseCommand::vmId);
        if (dryRun) {
            out().print(services().reaper().plan(only).toShellScript("reap" + only.map(id -> " " + id).orElse("")));
        } else {
            services().reaper().reap(only);
        }
        return 0;
    }
}
