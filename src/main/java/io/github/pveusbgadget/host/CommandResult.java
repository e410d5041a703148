package io.github.pveusbgadget.host;

/**
 * What an external program did.
 *
 * @param exitCode its exit code, or -1 when it was killed at the timeout or could not be started
 * @param output   standard output and standard error, interleaved
 * @param timedOut whether it was killed because it ran past its timeout
 */
public record CommandResult(int exitCode, String output, boolean timedOut) {

    public boolean succeeded() {
        return exitCode == 0 && !timedOut;
    }

    /** The last non-blank line of the output, the one that usually says what went wrong. */
    public String lastLine() {
        String[] lines = output.strip().split("\n");
        return lines.length == 0 ? "" : lines[lines.length - 1].strip();
    }
}
