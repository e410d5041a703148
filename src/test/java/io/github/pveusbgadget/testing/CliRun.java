package io.github.pveusbgadget.testing;

import io.github.pveusbgadget.cli.Application;
import java.io.PrintWriter;
import java.io.StringWriter;

/** One run of the command line against a {@link FakeKernel}: exit code and what it printed. */
public record CliRun(int exitCode, String out, String err) {

    public static CliRun run(FakeKernel kernel, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Application.run(args, kernel.environment(), new PrintWriter(out, true), new PrintWriter(err, true));
        return new CliRun(code, out.toString(), err.toString());
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- out:\n" + out + "--- err:\n" + err;
    }
}
