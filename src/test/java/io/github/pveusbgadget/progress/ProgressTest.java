package io.github.pveusbgadget.progress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressTest {
    private final StringWriter drawn = new StringWriter();
    private final PrintWriter terminal = new PrintWriter(drawn, true);

    @Test
    void offATerminalNothingIsDrawnAndTheWidthIsNotAsked() {
        Progress progress = Progress.on(false, terminal, () -> {
            throw new AssertionError("the width of no terminal was asked");
        });
        try (Progress.Meter meter = progress.start("copying files", 100)) {
            meter.advance(50);
        }
        assertThat(progress).isSameAs(Progress.NONE);
        assertThat(drawn.toString()).isEmpty();
    }

    @Test
    void aBarOfBytesIsRedrawnInPlaceAndErasedWhenDone() {
        Progress progress = Progress.on(true, terminal, () -> 60);
        try (Progress.Meter meter = progress.start("copying files", 4L << 20)) {
            meter.advance(1L << 20);
            meter.advance(1L << 20);
        }
        String text = drawn.toString();
        assertThat(text).doesNotContain("\n").startsWith("\rcopying files").contains(" 50% [", "2/4 MiB")
                .endsWith("\r" + " ".repeat(59) + "\r");
        for (String drawing : text.split("\r")) {
            assertThat(drawing.length()).as("'%s' keeps the last column free", drawing).isLessThanOrEqualTo(59);
        }
    }

    @Test
    void onANarrowTerminalNoDrawingPassesTheLastColumn() {
        try (Progress.Meter meter = Progress.on(true, terminal, () -> 30).start("downloading "
                + "unRAIDServer-7.1.4-x86_64.zip", 8L << 20)) {
            meter.advance(1L << 20);
        }
        for (String drawing : drawn.toString().split("\r")) {
            assertThat(drawing.length()).as("'%s'", drawing).isLessThanOrEqualTo(29);
        }
        assertThat(drawn.toString()).startsWith("\rdownloading unRAIDServer-7.1");
    }

    @Test
    void workOfUnknownSizeShowsItsNameAndTheTimeTaken() {
        try (Progress.Meter meter = Progress.on(true, terminal, () -> 80).start("formatting FAT32",
                Progress.UNKNOWN)) {
            meter.advance(0);
        }
        assertThat(drawn.toString()).startsWith("\rformatting FAT32 ... 0:00").doesNotContain("?", "\n")
                .endsWith("\r" + " ".repeat(79) + "\r");
    }
}
