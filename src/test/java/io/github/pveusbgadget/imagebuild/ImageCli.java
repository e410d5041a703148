package io.github.pveusbgadget.imagebuild;

import io.github.pveusbgadget.cli.Environment;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Method;

/** One run of the real command line on the real host (image create works on real files with real tools). */
record ImageCli(int exitCode, String out, String err) {

    static ImageCli run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code;
        try {
            code = (Integer) entryPoint().invoke(null, args, Environment.system(), new PrintWriter(out, true),
                    new PrintWriter(err, true));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        return new ImageCli(code, out.toString(), err.toString());
    }

    /** {@code run(String[], Environment, PrintWriter, PrintWriter)} of the application, wherever it lives. */
    private static Method entryPoint() throws NoSuchMethodException {
        for (String name : new String[] {"io.github.pveusbgadget.cli.Application", "io.github.pveusbgadget.Main"}) {
            try {
                return Class.forName(name).getMethod("run", String[].class, Environment.class, PrintWriter.class,
                        PrintWriter.class);
            } catch (ClassNotFoundException | NoSuchMethodException e) {
                // Try the next one.
            }
        }
        throw new NoSuchMethodException("no run(String[], Environment, PrintWriter, PrintWriter) entry point");
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- out:\n" + out + "--- err:\n" + err;
    }
}
