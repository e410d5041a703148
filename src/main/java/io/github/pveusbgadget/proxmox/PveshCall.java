package io.github.pveusbgadget.proxmox;

import io.github.pveusbgadget.host.CommandRunner;
import io.github.pveusbgadget.plan.Shell;
import io.github.pveusbgadget.plan.Step;
import java.util.List;

/** One {@code pvesh create|set ...} that changes the cluster's configuration (a USB resource mapping). */
public record PveshCall(List<String> command) implements Step<CommandRunner> {
    @Override
    public String describe() {
        return Shell.join(command);
    }

    @Override
    public List<String> shell() {
        return List.of(Shell.join(command));
    }

    @Override
    public void apply(CommandRunner runner) {
        new Pvesh(runner).run(command);
    }
}
