package io.github.pveusbgadget;

import io.github.pveusbgadget.cli.Environment;
import io.github.pveusbgadget.cli.HookPhase;
import io.github.pveusbgadget.cli.LogbackSetup;
import io.github.pveusbgadget.cli.RootCommand;
import io.github.pveusbgadget.config.VmId;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;

/** Entry point of the jar. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        Environment environment;
        try {
            environment = Environment.system();
        } catch (ToolException e) {
            System.err.println("pve-usb-gadget: " + e.getMessage());
            System.exit(e.exitCode());
            return;
        }
        System.exit(run(args, environment, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line and returns the exit code; never throws for an expected failure. */
    public static int run(String[] args, Environment environment, PrintWriter out, PrintWriter err) {
        Optional<Integer> fast = noOpHook(args);
        if (fast.isPresent()) {
            return fast.get();
        }
        boolean verbose = List.of(args).contains("-v") || List.of(args).contains("--verbose");
        if (verbose) {
            LogbackSetup.verbose();
        }
        CommandLine commandLine = new CommandLine(new RootCommand(environment));
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler((exception, cmd, parseResult) -> {
            if (exception instanceof ToolException tool) {
                err.println("pve-usb-gadget: " + tool.getMessage());
                if (verbose && tool.getCause() != null) {
                    tool.getCause().printStackTrace(err);
                }
                return tool.exitCode();
            }
            err.println("pve-usb-gadget: internal error: " + exception
                    + (verbose ? "" : " (run with -v for details)"));
            if (verbose) {
                exception.printStackTrace(err);
            }
            return ToolException.FAILED;
        });
        commandLine.setParameterExceptionHandler((exception, arguments) -> {
            err.println("pve-usb-gadget: " + exception.getMessage() + " (see --help)");
            return ToolException.BAD_INPUT;
        });
        int exitCode = commandLine.execute(args);
        out.flush();
        err.flush();
        return exitCode;
    }

    /**
     * {@code hook <vmid> post-start|pre-stop}: answered before logging and the command line parser start, because
     * Proxmox runs the hook at every phase of every VM and these phases do nothing.
     */
    private static Optional<Integer> noOpHook(String[] args) {
        if (args.length != 3 || !"hook".equals(args[0])) {
            return Optional.empty();
        }
        Optional<HookPhase> phase = HookPhase.parse(args[2]);
        if (phase.isEmpty() || !phase.get().isNoOp()) {
            return Optional.empty();
        }
        try {
            VmId.parse(args[1]);
        } catch (ToolException e) {
            return Optional.empty();
        }
        return Optional.of(0);
    }
}
