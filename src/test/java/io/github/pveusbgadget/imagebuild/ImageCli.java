package io.github.pveusbgadget.imagebuild;

import io.github.pveusbgadget.cli.Application;
import io.github.pveusbgadget.cli.Environment;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.Map;

/** One run of the real command line on the real host (image create works on real files with real tools). */
record ImageCli(int exitCode, String out, String err) {

    static ImageCli run(String... args) {
        return run(Environment.system(), args);
    }

    /** As {@link #run}, as if a person watched on a terminal {@code columns} wide. */
    static ImageCli onTerminal(int columns, String... args) {
        Environment host = Environment.system();
        Map<String, String> variables = new HashMap<>(host.variables());
        variables.put("COLUMNS", String.valueOf(columns));
        return run(new Environment(host.fileSystem(), host.gadgetFs(), host.runner(), host.ticker(), host.random(),
                host.faults(), host.clock(), variables, host.user(), host.home(), host.tmpDir(), true), args);
    }

    private static ImageCli run(Environment environment, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Application.run(args, environment, new PrintWriter(out, true), new PrintWriter(err, true));
        return new ImageCli(code, out.toString(), err.toString());
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- out:\n" + out + "--- err:\n" + err;
    }
}
