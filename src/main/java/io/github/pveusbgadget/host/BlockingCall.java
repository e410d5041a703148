package io.github.pveusbgadget.host;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a file operation that the kernel may block indefinitely (unbinding a UDC whose host still holds the medium,
 * fsync of a stuck device) on a daemon thread, so the caller can give up after a timeout instead of hanging a VM
 * start or stop. The abandoned thread does not keep the process alive.
 */
public final class BlockingCall {
    /** A file operation. */
    @FunctionalInterface
    public interface Action {
        void run() throws IOException;
    }

    private BlockingCall() {
    }

    /** Whether {@code action} finished within {@code timeout}; its own failure is rethrown. */
    public static boolean run(String name, Duration timeout, Action action) throws IOException {
        FutureTask<Void> task = new FutureTask<>(() -> {
            action.run();
            return null;
        });
        Thread thread = new Thread(task, "pve-usb-gadget " + name);
        thread.setDaemon(true);
        thread.start();
        try {
            task.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IOException(e.getCause());
        }
    }
}
