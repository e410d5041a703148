package io.github.pveusbgadget.progress;

import java.io.PrintWriter;
import java.util.function.IntSupplier;

/**
 * Shows a person at a terminal how far long work has got ({@code image create}'s download, formatting and copying).
 * {@link #NONE} shows nothing: on a pipe, in a log or a Proxmox task log the output stays the lines the command
 * prints anyway. A bar lives on its own line of the terminal and is erased when closed, so what stays on the screen
 * is the same as in a log.
 */
public interface Progress {
    /** {@link #start}'s total of work whose size is not known: an elapsed-time indicator instead of a bar. */
    long UNKNOWN = -1;

    /** Shows nothing. */
    Progress NONE = (task, totalBytes) -> Meter.NONE;

    /**
     * Starts showing {@code task} (a few words: {@code formatting FAT32}), of {@code totalBytes} or
     * {@link #UNKNOWN}. Nothing else may be printed to the terminal until the meter is closed.
     */
    Meter start(String task, long totalBytes);

    /** One task's indicator; safe to advance from another thread. */
    interface Meter extends AutoCloseable {
        /** Advances nothing and shows nothing. */
        Meter NONE = new Meter() {
            @Override
            public void advance(long bytes) {
            }

            @Override
            public void close() {
            }
        };

        /** {@code bytes} more of the work are done. */
        void advance(long bytes);

        /** The task is over: its line is erased. */
        @Override
        void close();
    }

    /**
     * Bars on {@code terminal} (standard error: standard output may be a script or be parsed) when {@code console},
     * {@code columns} wide (asked only then); else {@link #NONE}. The bar library is loaded only in the first case.
     */
    static Progress on(boolean console, PrintWriter terminal, IntSupplier columns) {
        return console ? new TerminalProgress(terminal, columns.getAsInt()) : NONE;
    }
}
