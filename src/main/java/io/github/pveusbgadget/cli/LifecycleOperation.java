package io.github.pveusbgadget.cli;

import io.github.pveusbgadget.config.VmId;
import io.github.pveusbgadget.gadget.GadgetLifecycle;
import io.github.pveusbgadget.gadget.Plan;

/** {@code up} and {@code down}, as the commands of the same names and the hook's phases run them. */
enum LifecycleOperation {
    UP {
        @Override
        Plan plan(GadgetLifecycle lifecycle, VmId vmId) {
            return lifecycle.planUp(vmId);
        }

        @Override
        void apply(GadgetLifecycle lifecycle, VmId vmId) {
            lifecycle.up(vmId);
        }
    },
    DOWN {
        @Override
        Plan plan(GadgetLifecycle lifecycle, VmId vmId) {
            return lifecycle.planDown(vmId);
        }

        @Override
        void apply(GadgetLifecycle lifecycle, VmId vmId) {
            lifecycle.down(vmId);
        }
    };

    abstract Plan plan(GadgetLifecycle lifecycle, VmId vmId);

    abstract void apply(GadgetLifecycle lifecycle, VmId vmId);

    /** Applies the operation, or with {@code dryRun} prints its plan as a shell script; returns the exit code. */
    int run(BaseCommand command, VmId vmId, boolean dryRun) {
        GadgetLifecycle lifecycle = command.services().lifecycle();
        if (dryRun) {
            String name = name().toLowerCase(java.util.Locale.ROOT);
            command.out().print(plan(lifecycle, vmId)
                    .toShellScript("pve-usb-gadget " + name + " " + vmId + " (dry run): the steps it would take"));
        } else {
            apply(lifecycle, vmId);
        }
        return 0;
    }
}
