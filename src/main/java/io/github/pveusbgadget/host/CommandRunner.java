package io.github.pveusbgadget.host;

import java.time.Duration;
import java.util.List;

/** Runs external programs ({@code modprobe}, {@code mount}, {@code qm}, ...); stubbed in tests. */
public interface CommandRunner {

    /**
     * Runs {@code command} and waits at most {@code timeout} for it.
     *
     * @return its result; never throws for a non-zero exit, a timeout or a missing program
     */
    CommandResult run(List<String> command, Duration timeout);

    /** Whether {@code program} can be found on the {@code PATH}. */
    boolean isAvailable(String program);
}
