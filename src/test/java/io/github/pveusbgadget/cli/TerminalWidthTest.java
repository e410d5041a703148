package io.github.pveusbgadget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pveusbgadget.host.CommandResult;
import io.github.pveusbgadget.host.CommandRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TerminalWidthTest {
    private final List<List<String>> ran = new ArrayList<>();

    private CommandRunner stty(int exitCode, String output) {
        return new CommandRunner() {
            @Override
            public CommandResult run(List<String> command, Duration timeout) {
                ran.add(command);
                return new CommandResult(exitCode, output, false);
            }

            @Override
            public boolean isAvailable(String program) {
                return true;
            }
        };
    }

    @Test
    void columnsWinsThenSttyThenEighty() {
        assertThat(TerminalWidth.of(Optional.of("132"), stty(0, "50 100\n"))).isEqualTo(132);
        assertThat(ran).isEmpty();
        assertThat(TerminalWidth.of(Optional.empty(), stty(0, "50 100\n"))).isEqualTo(100);
        assertThat(ran).containsExactly(List.of("stty", "-F", "/dev/tty", "size"));
        assertThat(TerminalWidth.of(Optional.of("wide"), stty(1, "stty: /dev/tty: No such device or address")))
                .isEqualTo(80);
        assertThat(TerminalWidth.of(Optional.of("3"), stty(0, "0 0"))).as("a width no table fits in").isEqualTo(80);
    }
}
