package io.github.pveusbgadget.gadget;

import io.github.pveusbgadget.ToolException;
import java.io.IOException;

/**
 * Test seam for fault injection: makes step {@code k} of {@code up} or {@code down} fail, or kills the process
 * right before it, so tests can prove that every interruption leaves a state the next {@code up}/{@code down}
 * repairs. Set through {@code PVE_USB_GADGET_FAULT=<up|down>:<k>:<fail|die>}; unset in production.
 */
@FunctionalInterface
public interface FaultInjector {
    FaultInjector NONE = (operation, number, step) -> { };

    /** Called before step {@code number} (from 1) of {@code operation} is applied. */
    void beforeStep(String operation, int number, Step step) throws IOException;

    /** Parses {@code up:7:fail} / {@code down:3:die}; null or empty means no faults. */
    static FaultInjector fromSpec(String spec) {
        if (spec == null || spec.isBlank()) {
            return NONE;
        }
        String[] parts = spec.split(":");
        if (parts.length != 3 || !parts[0].matches("up|down") || !parts[1].matches("[1-9][0-9]{0,3}")
                || !parts[2].matches("fail|die")) {
            throw ToolException.badInput("PVE_USB_GADGET_FAULT='" + spec + "' is not <up|down>:<step>:<fail|die>");
        }
        String operation = parts[0];
        int at = Integer.parseInt(parts[1]);
        boolean die = parts[2].equals("die");
        return (op, number, step) -> {
            if (op.equals(operation) && number == at) {
                if (die) {
                    // Like kill -9: no rollback, no finally blocks, no flush.
                    Runtime.getRuntime().halt(137);
                }
                throw new IOException("injected fault before step " + number + " of " + op);
            }
        };
    }
}
