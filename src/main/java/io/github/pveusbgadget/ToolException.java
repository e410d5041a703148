package io.github.pveusbgadget;

/**
 * An expected failure the user can act on: it carries the process exit code of PRODUCT.md and a message that
 * names the file, key or device involved and what to do. It is printed as one line, never as a stack trace.
 */
public final class ToolException extends RuntimeException {
    /** Exit code: the operation failed or the system's state forbids it. */
    public static final int FAILED = 1;
    /** Exit code: bad usage or bad configuration. */
    public static final int BAD_INPUT = 2;

    private final int exitCode;

    private ToolException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** The command line or a configuration file is wrong (exit 2). */
    public static ToolException badInput(String message) {
        return new ToolException(BAD_INPUT, message, null);
    }

    /** The system's state forbids the operation (exit 1). */
    public static ToolException refused(String message) {
        return new ToolException(FAILED, message, null);
    }

    /** The operation was attempted and failed (exit 1). */
    public static ToolException failed(String message, Throwable cause) {
        return new ToolException(FAILED, message, cause);
    }

    public int exitCode() {
        return exitCode;
    }
}
