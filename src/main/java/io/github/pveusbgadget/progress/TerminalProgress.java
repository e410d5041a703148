package io.github.pveusbgadget.progress;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;
import me.tongfei.progressbar.ProgressState;

/**
 * {@link Progress} as me.tongfei progress bars, redrawn in place on one terminal line. The library gets its output
 * and width from here (it would otherwise open a JLine system terminal of its own). ASCII only: the tool may run
 * under {@code LC_ALL=C}.
 */
final class TerminalProgress implements Progress {
    /** How often a bar is redrawn. */
    static final int REDRAW_MILLIS = 200;
    private static final int MIB = 1 << 20;

    private final PrintWriter terminal;
    private final int width;

    /** @param columns the terminal's width; the bar keeps the last column free (no automatic line wrap) */
    TerminalProgress(PrintWriter terminal, int columns) {
        this.terminal = terminal;
        this.width = Math.max(20, columns - 1);
    }

    @Override
    public Meter start(String task, long totalBytes) {
        Line line = new Line();
        ProgressBarBuilder builder = new ProgressBarBuilder().setTaskName(task).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(REDRAW_MILLIS).setConsumer(line);
        if (totalBytes == UNKNOWN) {
            builder.setInitialMax(-1).setRenderer(TerminalProgress::elapsed);
        } else {
            builder.setInitialMax(totalBytes).setUnit(" MiB", MIB).showSpeed();
        }
        ProgressBar bar = builder.build();
        return new Meter() {
            @Override
            public void advance(long bytes) {
                bar.stepBy(bytes);
            }

            @Override
            public void close() {
                bar.close(); // waits for the last redraw
                // Erased here, not by the library: it skips that for a bar closed before its first redraw.
                line.clear();
            }
        };
    }

    /** A task of unknown size: its name and the time it has taken so far. */
    private static String elapsed(ProgressState state, int maxLength) {
        Duration taken = state.getTotalElapsed();
        String text = String.format(Locale.ROOT, "%s ... %d:%02d", state.getTaskName(), taken.toMinutes(),
                taken.toSecondsPart());
        return text.length() > maxLength ? text.substring(0, maxLength) : text;
    }

    /** The terminal line the bar is drawn on: each drawing starts at its beginning. */
    private final class Line implements ProgressBarConsumer {
        @Override
        public int getMaxRenderedLength() {
            return width;
        }

        @Override
        public void accept(String rendered) {
            // The library drops the bar where the line is narrow, but not the words: never past the last column.
            print("\r" + (rendered.length() > width ? rendered.substring(0, width) : rendered));
        }

        /** Blanks the line and leaves the cursor at its start, for the next line of output. */
        @Override
        public void clear() {
            print("\r" + " ".repeat(width) + "\r");
        }

        @Override
        public void close() {
            terminal.flush();
        }

        private void print(String text) {
            synchronized (terminal) {
                terminal.print(text);
                terminal.flush();
            }
        }
    }
}
