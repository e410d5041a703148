package io.github.pveusbgadget.plan;

import java.io.IOException;

/**
 * Test seam for fault injection: makes a step of an operation fail, or kills the process right before it, so that
 * tests can prove that every interruption leaves a state the next run repairs. Production runs with {@link #NONE};
 * only tests (the unit tests, and the real-kernel suite through its test-only entry points) wire another.
 */
@FunctionalInterface
public interface FaultInjector {
    FaultInjector NONE = (operation, number, step) -> { };

    /** Called before step {@code number} (from 1) of {@code operation} ({@code up}, {@code down}) is applied. */
    void beforeStep(String operation, int number, Step<?> step) throws IOException;
}
