package io.github.pveusbgadget.itest;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.plan.FaultInjector;
import java.io.IOException;

/**
 * The test-only spelling of a {@link FaultInjector}: {@code <up|down>:<k>:<fail|die>} makes step {@code k} of
 * {@code up} or {@code down} fail, or halts the JVM right before it like {@code kill -9}. It is what
 * {@code PVE_USB_GADGET_FAULT} holds in the real-kernel suite; the tool itself never reads that variable.
 */
public final class FaultSpec {
    /** The variable the real-kernel suite sets for {@link FaultyCli}. */
    public static final String VARIABLE = "PVE_USB_GADGET_FAULT";

    private FaultSpec() {
    }

    /** Parses {@code up:7:fail} / {@code down:3:die}; null or empty means no faults. */
    public static FaultInjector parse(String spec) {
        if (spec == null || spec.isBlank()) {
            return FaultInjector.NONE;
        }
        String[] parts = spec.split(":");
        if (parts.length != 3 || !parts[0].matches("up|down") || !parts[1].matches("[1-9][0-9]{0,3}")
                || !parts[2].matches("fail|die")) {
            throw ToolException.badInput(VARIABLE + "='" + spec + "' is not <up|down>:<step>:<fail|die>");
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
