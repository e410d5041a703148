package io.github.pveusbgadget.host;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a deadline: everything that waits in this tool goes through here. */
public final class Poller {
    private static final Duration INTERVAL = Duration.ofMillis(50);

    private final Ticker ticker;

    public Poller(Ticker ticker) {
        this.ticker = ticker;
    }

    /** Now, on the clock the waits are measured with. */
    public long nanoTime() {
        return ticker.nanoTime();
    }

    /** Whether {@code condition} became true within {@code timeout}; checked at least once. */
    public boolean await(BooleanSupplier condition, Duration timeout) {
        long deadline = ticker.nanoTime() + timeout.toNanos();
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (ticker.nanoTime() - deadline >= 0) {
                return false;
            }
            try {
                ticker.sleep(INTERVAL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return condition.getAsBoolean();
            }
        }
    }
}
