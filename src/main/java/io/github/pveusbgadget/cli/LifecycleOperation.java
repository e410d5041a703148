package io.github.pveusbgadget.cli;

import io.github.pveusbgadget.config.VmId;
import io.github.pveusbgadget.gadget.GadgetLifecycle;
import io.github.pveusbgadget.gadget.StepContext;
import io.github.pveusbgadget.plan.Plan;

/** {@code up} and {@code down}, as the commands of the same names and the hook's phases run them. */
enum LifecycleOperation {
    UP("up"),
    DOWN("down");

    private final String command;

    LifecycleOperation(String command) {
        this.command = command;
    }

    /** Applies the operation, or with {@code dryRun} prints its plan as a shell script; returns the exit code. */
    int run(BaseCommand caller, VmId vmId, boolean dryRun) {
        GadgetLifecycle lifecycle = caller.services().lifecycle();
        if (dryRun) {
            Plan<StepContext> plan = this == UP ? lifecycle.planUp(vmId) : lifecycle.planDown(vmId);
            caller.out().print(plan.toShellScript(command + " " + vmId));
        } else if (this == UP) {
            lifecycle.up(vmId);
        } else {
            lifecycle.down(vmId);
        }
        return 0;
    }
}
