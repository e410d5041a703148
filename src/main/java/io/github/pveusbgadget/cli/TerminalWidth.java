package io.github.pveusbgadget.cli;

import io.github.pveusbgadget.host.CommandResult;
import io.github.pveusbgadget.host.CommandRunner;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The width of the terminal a person reads the output on: what progress bars and the status table fit into. */
final class TerminalWidth {
    /** Where the terminal does not say. */
    static final int DEFAULT = 80;
    private static final int NARROWEST = 20;

    private TerminalWidth() {
    }

    /**
     * {@code COLUMNS} when set (as {@code ls} and {@code ps} honour it), else what {@code stty} says of the
     * controlling terminal, else {@link #DEFAULT}. Asked only when {@link Environment#console()} is true.
     */
    static int of(Environment environment) {
        return of(environment.variable("COLUMNS"), environment.runner());
    }

    static int of(Optional<String> columnsVariable, CommandRunner runner) {
        return columnsVariable.flatMap(TerminalWidth::parse)
                .or(() -> fromStty(runner.run(List.of("stty", "-F", "/dev/tty", "size"), Duration.ofSeconds(2))))
                .orElse(DEFAULT);
    }

    /** {@code stty size} prints {@code ROWS COLUMNS}. */
    private static Optional<Integer> fromStty(CommandResult result) {
        String[] parts = result.output().strip().split("\\s+");
        return result.succeeded() && parts.length == 2 ? parse(parts[1]) : Optional.empty();
    }

    private static Optional<Integer> parse(String text) {
        return text.strip().matches("\\d{1,4}") ? Optional.of(Integer.parseInt(text.strip()))
                .filter(columns -> columns >= NARROWEST) : Optional.empty();
    }
}
