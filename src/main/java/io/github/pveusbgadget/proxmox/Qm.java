package io.github.pveusbgadget.proxmox;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.config.VmId;
import io.github.pveusbgadget.host.CommandResult;
import io.github.pveusbgadget.host.CommandRunner;
import io.github.pveusbgadget.plan.Shell;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Proxmox's VM manager, {@code qm}: reads a VM's configuration and changes it with {@code qm set}. */
public final class Qm {
    static final Duration CONFIG_TIMEOUT = Duration.ofSeconds(30);
    static final Duration SET_TIMEOUT = Duration.ofSeconds(120);

    private final CommandRunner runner;

    public Qm(CommandRunner runner) {
        this.runner = runner;
    }

    /** Refuses unless this host has {@code programs} ({@code qm}, {@code pvesm}), i.e. it is a Proxmox VE node. */
    public void requireAvailable(String what, String... programs) {
        for (String program : programs) {
            if (!runner.isAvailable(program)) {
                throw ToolException.refused("'" + program + "' not found: " + what
                        + " must run on the Proxmox VE node that runs the VM");
            }
        }
    }

    /** {@code qm config <vmid>}, parsed. */
    public VmConfig config(VmId vmId) {
        List<String> command = List.of("qm", "config", vmId.toString());
        CommandResult result = runner.run(command, CONFIG_TIMEOUT);
        if (!result.succeeded()) {
            throw ToolException.refused(String.join(" ", command) + " failed: " + result.lastLine()
                    + " (does VM " + vmId + " exist on this node?)");
        }
        return VmConfig.parse(result.output());
    }

    /** The command line {@code qm set <vmid> <options>}. */
    public static List<String> setCommand(VmId vmId, List<String> options) {
        List<String> command = new ArrayList<>(List.of("qm", "set", vmId.toString()));
        command.addAll(options);
        return command;
    }

    /** Runs {@code qm set <vmid> <options>}. */
    public void set(VmId vmId, List<String> options) {
        List<String> command = setCommand(vmId, options);
        CommandResult result = runner.run(command, SET_TIMEOUT);
        if (!result.succeeded()) {
            throw ToolException.failed(Shell.join(command) + " failed: " + result.lastLine(), null);
        }
    }
}
