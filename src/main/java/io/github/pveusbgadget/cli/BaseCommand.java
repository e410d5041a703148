package io.github.pveusbgadget.cli;

import io.github.pveusbgadget.config.VmId;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every subcommand shares: the services of the root command and its output. */
abstract class BaseCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    Services services() {
        return ((RootCommand) spec.root().userObject()).services();
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** Standard error: the task log, and where progress is drawn on a terminal. */
    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    static VmId vmId(String text) {
        return VmId.parse(text);
    }
}
