package io.github.pveusbgadget.imagebuild;

import io.github.pveusbgadget.cli.Application;
import io.github.pveusbgadget.cli.Environment;
import java.io.PrintWriter;
import java.io.StringWriter;

/** One run of the real command line on the real host (image create works on real files with real tools). */
record ImageCli(int exitCode, String out, String err) {

    static ImageCli run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Application.run(args, Environment.system(), new PrintWriter(out, true), new PrintWriter(err, true));
        return new ImageCli(code, out.toString(), err.toString());
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- out:\n" + out + "--- err:\n" + err;
    }
}
