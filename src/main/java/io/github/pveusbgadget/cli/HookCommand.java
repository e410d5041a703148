package io.github.pveusbgadget.cli;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.config.VmId;
import io.github.pveusbgadget.plan.Plan;
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
            services().lifecycle().refuseLiveMigration(id, services().environment().variable("PVE_MIGRATED_FROM"));
        }
        return switch (hookPhase) {
            case PRE_START -> LifecycleOperation.UP.run(this, id, dryRun);
            case POST_STOP -> LifecycleOperation.DOWN.run(this, id, dryRun);
            case POST_START, PRE_STOP -> nothingToDo(id);
        };
    }

    /** The no-op phases; their dry-run says so, as {@code down}'s does when there is nothing to remove. */
    private int nothingToDo(VmId id) {
        if (dryRun) {
            out().print(new Plan<>().toShellScript("hook " + id + " " + phase));
        }
        return 0;
    }
}
