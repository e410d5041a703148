package io.github.pveusbgadget.proxmox;

import io.github.pveusbgadget.config.VmId;
import io.github.pveusbgadget.host.CommandRunner;
import io.github.pveusbgadget.plan.Shell;
import io.github.pveusbgadget.plan.Step;
import java.util.List;

/** One {@code qm set <vmid> <options>}: every change {@code attach} or {@code detach} makes to a VM at once. */
public record QmSet(VmId vmId, List<String> options) implements Step<CommandRunner> {
    /** The command line, as the dry run prints it and the user reads it. */
    public String commandLine() {
        return Shell.join(Qm.setCommand(vmId, options));
    }

    @Override
    public String describe() {
        return commandLine();
    }

    @Override
    public List<String> shell() {
        return List.of(commandLine());
    }

    @Override
    public void apply(CommandRunner runner) {
        new Qm(runner).set(vmId, options);
    }
}
