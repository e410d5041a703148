package io.github.pveusbgadget.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A process as {@code /proc/<pid>/stat} shows it: the fields Proxmox's {@code PVE::ProcFSTools::check_process_running}
 * reads (the state, which must not be {@code Z}, and the start time, which tells a process from a later one that got
 * the same pid).
 *
 * @param pid       the process id
 * @param state     the state letter ({@code R}, {@code S}, {@code D}, {@code Z}, ...)
 * @param startTime clock ticks after boot at which it started (field 22)
 */
public record ProcessStat(long pid, char state, long startTime) {
    private static final int START_TIME_AFTER_COMM = 19;

    /** The process {@code pid} ({@code "self"} for this one), if it exists and its stat line parses. */
    public static Optional<ProcessStat> read(Path proc, String pid) {
        String line;
        try {
            line = Files.readString(proc.resolve(pid).resolve("stat"), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return Optional.empty();
        }
        // The command name is in parentheses and may itself hold spaces and parentheses: the last ')' ends it.
        int open = line.indexOf(" (");
        int close = line.lastIndexOf(')');
        if (open <= 0 || close < open) {
            return Optional.empty();
        }
        String[] rest = line.substring(close + 1).strip().split(" +");
        if (rest.length <= START_TIME_AFTER_COMM || rest[0].length() != 1) {
            return Optional.empty();
        }
        try {
            return Optional.of(new ProcessStat(Long.parseLong(line.substring(0, open)), rest[0].charAt(0),
                    Long.parseLong(rest[START_TIME_AFTER_COMM])));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Whether it still runs: a zombie has ended and only waits for its parent. */
    public boolean isRunning() {
        return state != 'Z';
    }
}
