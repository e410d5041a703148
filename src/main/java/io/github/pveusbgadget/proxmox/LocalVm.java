package io.github.pveusbgadget.proxmox;

import io.github.pveusbgadget.config.VmId;
import io.github.pveusbgadget.host.ProcessStat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Whether a VM's QEMU runs on this node, decided exactly as qemu-server decides it
 * ({@code PVE::QemuServer::Helpers::vm_running_locally}): the pid file {@code /var/run/qemu-server/<vmid>.pid} holds
 * a pid; that process's command line starts with a program whose name ends in {@code kvm} or is {@code qemu-*}, and
 * its {@code -pidfile} option names that very pid file; and the process is not a zombie. Anything else (no pid file,
 * a stale pid, a pid reused by another program) is "not running", as it is for {@code qm status}.
 */
public final class LocalVm {
    private static final Pattern PID_LINE = Pattern.compile("[0-9]+");
    private static final Pattern KVM = Pattern.compile(".*kvm");
    private static final Pattern QEMU = Pattern.compile("(?:.*/)?qemu-[^/]+");
    private static final Pattern OPTION = Pattern.compile("--?(.*)");

    private final Path proc;
    private final Path runDir;

    /**
     * @param proc   procfs
     * @param runDir qemu-server's run directory ({@code /var/run/qemu-server})
     */
    public LocalVm(Path proc, Path runDir) {
        this.proc = proc;
        this.runDir = runDir;
    }

    /** The VM's pid file, as qemu-server names it (and passes it to QEMU with {@code -pidfile}). */
    public Path pidFile(VmId vmId) {
        return runDir.resolve(vmId + ".pid");
    }

    /** The pid of the VM's QEMU if it runs here. */
    public Optional<Long> qemuPid(VmId vmId) {
        Path pidFile = pidFile(vmId);
        String line;
        try {
            line = firstLine(Files.readString(pidFile, StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            return Optional.empty();
        }
        if (!PID_LINE.matcher(line).matches()) {
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(line);
        } catch (NumberFormatException tooLong) {
            return Optional.empty();
        }
        Map<String, Optional<String>> options = qemuOptions(pid);
        if (options == null || !options.getOrDefault("pidfile", Optional.empty()).orElse("")
                .equals(pidFile.toString())) {
            return Optional.empty();
        }
        return ProcessStat.read(proc, Long.toString(pid)).filter(ProcessStat::isRunning).map(ProcessStat::pid);
    }

    /**
     * The options of process {@code pid} if it is a kvm/qemu program, as qemu-server's {@code parse_cmdline} reads
     * them (null if it is not one): arguments starting with {@code -} or {@code --} are options, the next argument
     * that does not is its value; empty arguments and {@code "0"} are skipped (Perl takes both for false).
     */
    private Map<String, Optional<String>> qemuOptions(long pid) {
        String cmdline;
        try {
            cmdline = firstLine(Files.readString(proc.resolve(Long.toString(pid)).resolve("cmdline"),
                    StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            return null;
        }
        List<String> args = new ArrayList<>(List.of(cmdline.split("\0")));
        if (args.isEmpty() || !(KVM.matcher(args.get(0)).matches() || QEMU.matcher(args.get(0)).matches())) {
            return null;
        }
        Map<String, Optional<String>> options = new HashMap<>();
        String pending = null;
        for (String arg : args) {
            if (arg.isEmpty() || arg.equals("0")) {
                continue;
            }
            var option = OPTION.matcher(arg);
            if (option.matches()) {
                if (pending != null) {
                    options.put(pending, Optional.empty());
                }
                pending = option.group(1);
            } else if (pending != null) {
                options.put(pending, Optional.of(arg));
                pending = null;
            }
        }
        return options;
    }

    /** What Perl's {@code <$fh>} reads, with the newline that {@code $} in a match may stand before. */
    private static String firstLine(String text) {
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }
}
