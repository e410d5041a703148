package io.github.pveusbgadget.image;

import io.github.pveusbgadget.config.VmId;
import io.github.pveusbgadget.host.CommandResult;
import io.github.pveusbgadget.host.CommandRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts {@code pve-usb-gadget backup <vmid>} in the background, so that {@code post-stop} returns in seconds while
 * Proxmox holds the VM's lock: as a transient systemd unit ({@code systemd-run}, its output in the journal) where
 * systemd runs, else as a process of its own session ({@code setsid -f}, its output in the state directory). The
 * child gets the same global options, so it finds the same config, configfs and state.
 */
public final class BackupLauncher {
    private static final Logger LOG = LoggerFactory.getLogger(BackupLauncher.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    /** The launcher's own variables, handed to a systemd unit (which starts with an empty environment). */
    private static final List<String> PASSED_VARIABLES = List.of("PVE_USB_GADGET_JAR", "PVE_USB_GADGET_JAVA",
            "PVE_USB_GADGET_JAVA_OPTS", "PVE_USB_GADGET_CDS");

    private final CommandRunner runner;
    private final Path systemdRunDir;
    private final Path stateDir;
    private final List<String> self;
    private final Map<String, String> variables;

    /**
     * @param systemdRunDir {@code /run/systemd/system}: it exists when systemd is the init system (sd_booted)
     * @param self          the command that runs this tool with the current global options
     * @param variables     the process environment
     */
    public BackupLauncher(CommandRunner runner, Path systemdRunDir, Path stateDir, List<String> self,
                          Map<String, String> variables) {
        this.runner = runner;
        this.systemdRunDir = systemdRunDir;
        this.stateDir = stateDir;
        this.self = List.copyOf(self);
        this.variables = variables;
    }

    /** The command that starts the backup of VM {@code vmId} in the background. */
    public List<String> command(VmId vmId) {
        List<String> backup = new ArrayList<>(self);
        backup.add("backup");
        backup.add(vmId.toString());
        List<String> command = new ArrayList<>();
        if (Files.isDirectory(systemdRunDir)) {
            command.addAll(List.of("systemd-run", "--unit=pve-usb-gadget-backup-" + vmId, "--collect", "--quiet",
                    "--description=pve-usb-gadget backup of VM " + vmId + "'s image"));
            for (String name : PASSED_VARIABLES) {
                String value = variables.get(name);
                if (value != null) {
                    command.add("--setenv=" + name + "=" + value);
                }
            }
            command.add("--");
        } else {
            // The child must not keep the pipe Commons Exec reads: its output goes to a file of its own.
            command.addAll(List.of("sh", "-c", "log=$1; shift; exec setsid -f \"$@\" < /dev/null >> \"$log\" 2>&1",
                    "sh", stateDir.resolve(vmId + ".backup.log").toString()));
        }
        command.addAll(backup);
        return command;
    }

    /** Starts it; a failure is a warning naming the command to run by hand, never a failed stop. */
    public void start(VmId vmId) {
        List<String> command = command(vmId);
        try {
            Files.createDirectories(stateDir);
        } catch (java.io.IOException e) {
            // setsid's log then cannot be written; the start below says so
        }
        CommandResult result = runner.run(command, TIMEOUT);
        if (result.exitCode() != 0) {
            LOG.warn("warning: VM {}: cannot start the backup in the background ({}: {}); run 'pve-usb-gadget backup "
                    + "{}' by hand", vmId, command.get(0), result.output().strip(), vmId);
            return;
        }
        LOG.info("VM {}: backup of its image started in the background ({})", vmId,
                command.get(0).equals("systemd-run") ? "journalctl -u pve-usb-gadget-backup-" + vmId
                        : stateDir.resolve(vmId + ".backup.log"));
    }
}
