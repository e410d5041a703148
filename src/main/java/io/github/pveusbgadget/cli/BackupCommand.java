package io.github.pveusbgadget.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code backup <vmid>}: the copy {@code backup_keep} asks for, now; what a stop starts in the background. */
@Command(name = "backup", mixinStandardHelpOptions = true,
        description = {"Copy the VM's image now as backup_keep does after a stop (verified sparse copy "
                + "<image>.<UTC timestamp> + .sha256, the oldest beyond backup_keep removed); refused while a gadget "
                + "serves the image, given up (partial copy removed) when the VM starts meanwhile."})
final class BackupCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "VMID")
    String vmId;

    @Override
    public Integer call() {
        services().lifecycle().backUpNow(vmId(vmId));
        return 0;
    }
}
