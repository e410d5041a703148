package io.github.pveusbgadget.cli;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.config.VmId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hook <vmid> <phase>}: what Proxmox's hookscript shim calls. */
@Command(name = "hook", mixinStandardHelpOptions = true,
        description = {"Run as a Proxmox hookscript: pre-start = up, post-stop = down, post-start and pre-stop do "
                + "nothing."})
final class HookCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "VMID")
    String vmId;

    @Parameters(index = "1", paramLabel = "PHASE", description = "pre-start, post-start, pre-stop or post-stop")
    String phase;

    @Option(names = "--dry-run", description = "Change nothing; print the steps as a shell script.")
    boolean dryRun;

    @Override
    public Integer call() {
        VmId id = vmId(vmId);
        HookPhase hookPhase = HookPhase.parse(phase).orElseThrow(() -> ToolException.badInput(
                "unknown hook phase '" + phase + "'; Proxmox calls pre-start, post-start, pre-stop or post-stop"));
        if (hookPhase == HookPhase.PRE_START) {
            refuseLiveMigration(id);
        }
        return switch (hookPhase) {
            case PRE_START -> LifecycleOperation.UP.run(this, id, dryRun);
            case POST_STOP -> LifecycleOperation.DOWN.run(this, id, dryRun);
            case POST_START, PRE_STOP -> 0;
        };
    }

    /**
     * Proxmox sets {@code PVE_MIGRATED_FROM} when it starts a VM here as the target of a live migration. The drive
     * cannot go along: until the migration ends, the VM still runs on the source node with that node's gadget on the
     * image. A second gadget here would be a second writer if the image is on shared storage (a FAT file system
     * does not survive two), and a different disk under the running guest if it is not. So the start is refused,
     * which makes Proxmox abort the migration and leaves the VM running where it was.
     */
    private void refuseLiveMigration(VmId id) {
        var source = services().environment().variable("PVE_MIGRATED_FROM");
        if (source.isEmpty()) {
            return;
        }
        String image;
        try {
            image = services().store().loadIfPresent(id).map(config -> " (image " + config.image() + ")").orElse("");
        } catch (ToolException unreadableConfig) {
            image = ""; // the migration is the reason to refuse; the config's own problem is reported at the next start
        }
        throw ToolException.refused("VM " + id + " is being live-migrated here from node " + source.get()
                + ": its USB drive" + image + " cannot move with a running VM, because the gadget on "
                + source.get() + " still serves the image until the VM stops there; migrate it offline instead: "
                + "shut VM " + id + " down, 'qm migrate " + id + " <target>', then start it");
    }
}
