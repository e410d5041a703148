package io.github.pveusbgadget.cli;

import io.github.pveusbgadget.gadget.GadgetFs;
import io.github.pveusbgadget.gadget.KernelGadgetFs;
import io.github.pveusbgadget.host.CommandRunner;
import io.github.pveusbgadget.host.ExecCommandRunner;
import io.github.pveusbgadget.host.Ticker;
import io.github.pveusbgadget.plan.FaultInjector;
import java.io.Console;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Everything the commands take from the outside world: the file system paths resolve in, configfs writes, external
 * programs, time and randomness, the process's variables, user and terminal. {@link #system()} is the one place that
 * reads them from the JVM; tests pass an in-memory one. (The output streams are given to
 * {@link Application#run} with it.)
 *
 * @param random gives the source of fresh serials; unpredictable in production, made only when needed (seeding
 *               {@code SecureRandom} costs start-up time every other command should not pay)
 * @param faults the fault-injection test seam: {@link FaultInjector#NONE} in production, set only by tests
 * @param variables the process environment ({@code PVE_MIGRATED_FROM} is how Proxmox tells the hook about a live
 *                  migration)
 * @param user      the name of the user the tool runs as
 * @param home      that user's home directory
 * @param tmpDir    the JVM's temporary directory (where {@code TMPDIR} is unset)
 * @param console   whether a person watches: standard output is a terminal
 */
public record Environment(FileSystem fileSystem, GadgetFs gadgetFs, CommandRunner runner, Ticker ticker,
                          Supplier<Random> random, FaultInjector faults, Clock clock, Map<String, String> variables,
                          String user, Path home, Path tmpDir, boolean console) {

    /** The value of an environment variable, if set and not blank. */
    public Optional<String> variable(String name) {
        return Optional.ofNullable(variables.get(name)).filter(value -> !value.isBlank());
    }

    /** The same environment with another fault-injection seam. */
    public Environment withFaults(FaultInjector injector) {
        return new Environment(fileSystem, gadgetFs, runner, ticker, random, injector, clock, variables, user, home,
                tmpDir, console);
    }

    /** The real host. */
    public static Environment system() {
        Map<String, String> variables = System.getenv();
        FileSystem fs = FileSystems.getDefault();
        return new Environment(fs, new KernelGadgetFs(), new ExecCommandRunner(variables.get("PATH")), Ticker.SYSTEM,
                SecureRandom::new, FaultInjector.NONE, Clock.systemUTC(), variables, System.getProperty("user.name"),
                fs.getPath(System.getProperty("user.home")), fs.getPath(System.getProperty("java.io.tmpdir")),
                onTerminal());
    }

    /**
     * Whether standard input and output are a terminal. Java 22 to 24 give a console on a pipe too, and say whether
     * it is a terminal with {@code Console.isTerminal()} (Java 22+, asked by name: the build targets 17).
     */
    private static boolean onTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true; // before Java 22 there is a console only on a terminal
        }
    }
}
