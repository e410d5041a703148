package io.github.pveusbgadget.testing;

import io.github.pveusbgadget.cli.Application;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

/** One run of the command line against a {@link FakeKernel}: exit code and what it printed. */
public record CliRun(int exitCode, String out, String err) {

    public static CliRun run(FakeKernel kernel, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Application.run(args, kernel.environment(), new PrintWriter(out, true), new PrintWriter(err, true));
        return new CliRun(code, out.toString(), err.toString());
    }

    /**
     * The lines of standard error that are the tool's error messages ({@code pve-usb-gadget: ...}), checked to be
     * its last line: the task log comes before.
     */
    public static List<String> errorLines(CliRun run) {
        List<String> lines = run.err().lines().toList();
        List<String> errors = lines.stream().filter(l -> l.startsWith("pve-usb-gadget: ")).toList();
        if (!errors.isEmpty() && !lines.get(lines.size() - 1).equals(errors.get(errors.size() - 1))) {
            throw new AssertionError("the error is not the last line of:\n" + run.err());
        }
        return errors;
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- out:\n" + out + "--- err:\n" + err;
    }
}
