package io.github.pveusbgadget.cli;

import io.github.pveusbgadget.gadget.GadgetFs;
import io.github.pveusbgadget.gadget.KernelGadgetFs;
import io.github.pveusbgadget.host.CommandRunner;
import io.github.pveusbgadget.host.ExecCommandRunner;
import io.github.pveusbgadget.host.Ticker;
import io.github.pveusbgadget.plan.FaultInjector;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Everything the commands take from the outside world: the file system paths resolve in, configfs writes, external
 * programs, time and randomness. Tests pass an in-memory one.
 *
 * @param random gives the source of fresh serials; unpredictable in production, made only when needed (seeding
 *               {@code SecureRandom} costs start-up time every other command should not pay)
 * @param faults the fault-injection test seam: {@link FaultInjector#NONE} in production, set only by tests
 * @param variables the process environment ({@code PVE_MIGRATED_FROM} is how Proxmox tells the hook about a live
 *                  migration)
 */
public record Environment(FileSystem fileSystem, GadgetFs gadgetFs, CommandRunner runner, Ticker ticker,
                          Supplier<Random> random, FaultInjector faults, Clock clock, Map<String, String> variables) {

    /** The value of an environment variable, if set and not blank. */
    public Optional<String> variable(String name) {
        return Optional.ofNullable(variables.get(name)).filter(value -> !value.isBlank());
    }

    /** The same environment with another fault-injection seam. */
    public Environment withFaults(FaultInjector injector) {
        return new Environment(fileSystem, gadgetFs, runner, ticker, random, injector, clock, variables);
    }

    /** The real host. */
    public static Environment system() {
        Map<String, String> variables = System.getenv();
        return new Environment(FileSystems.getDefault(), new KernelGadgetFs(), new ExecCommandRunner(), Ticker.SYSTEM,
                SecureRandom::new, FaultInjector.NONE,
                Clock.systemUTC(), variables);
    }
}
