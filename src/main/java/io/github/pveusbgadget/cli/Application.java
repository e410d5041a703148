package io.github.pveusbgadget.cli;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.host.NativePaths;
import java.io.PrintWriter;
import java.nio.file.InvalidPathException;
import picocli.CommandLine;

/** The command line application: logging, picocli, and the mapping of failures to one line and an exit code. */
public final class Application {
    private Application() {
    }

    /** Runs on the real host and exits with the command's exit code. */
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
        CommandLine commandLine = RootCommand.commandLine(environment, args);
        RootCommand root = commandLine.getCommand();
        commandLine.setOut(out);
        commandLine.setErr(err);
        // Logging starts once the options are parsed: on the command's error stream, at the level they set.
        commandLine.setExecutionStrategy(parseResult -> {
            LogbackSetup.install(err, root.verbose());
            return new CommandLine.RunLast().execute(parseResult);
        });
        commandLine.setExecutionExceptionHandler((exception, cmd, parseResult) -> {
            boolean verbose = root.verbose();
            if (exception instanceof ToolException tool) {
                err.println("pve-usb-gadget: " + tool.getMessage());
                if (verbose && tool.getCause() != null) {
                    tool.getCause().printStackTrace(err);
                }
                return tool.exitCode();
            }
            if (exception instanceof InvalidPathException path) { // an option's path under a non-UTF-8 locale
                err.println("pve-usb-gadget: " + NativePaths.explain(path.getInput()));
                return ToolException.BAD_INPUT;
            }
            err.println("pve-usb-gadget: internal error: " + exception
                    + (verbose ? "" : " (run with -v for details)"));
            if (verbose) {
                exception.printStackTrace(err);
            }
            return ToolException.FAILED;
        });
        commandLine.setParameterExceptionHandler((exception, arguments) -> {
            // picocli starts some messages (argument groups) with its own "Error: ": ours is the one prefix.
            err.println("pve-usb-gadget: " + exception.getMessage().replaceFirst("^Error: ", "") + " (see --help)");
            return ToolException.BAD_INPUT;
        });
        int exitCode = commandLine.execute(args);
        out.flush();
        err.flush();
        return exitCode;
    }
}
