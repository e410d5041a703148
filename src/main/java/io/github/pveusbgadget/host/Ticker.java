package io.github.pveusbgadget.host;

import java.time.Duration;

/** Time as the waiting code sees it, so tests can wait without sleeping. */
public interface Ticker {
    long nanoTime();

    void sleep(Duration duration) throws InterruptedException;

    /** The real clock. */
    Ticker SYSTEM = new Ticker() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleep(Duration duration) throws InterruptedException {
            Thread.sleep(duration.toMillis());
        }
    };
}
