package io.github.pveusbgadget.plan;

import java.io.IOException;
import java.util.List;

/**
 * One change to the host. A {@link Plan} is a list of these, decided before anything changes, and then either
 * printed as a shell script ({@code --dry-run}) or applied: the two are one description of one job.
 *
 * @param <C> what the step acts on when applied (configfs and the kernel for the gadget, the config directory and
 *            {@code qm} for {@code attach}, ...)
 */
public interface Step<C> {

    /** One short line for the task log. */
    String describe();

    /** The POSIX shell lines that make the same change, for {@code --dry-run}. */
    List<String> shell();

    void apply(C context) throws IOException;

    /** Shell functions the lines of {@link #shell()} call; printed once at the top of the script. */
    default List<String> shellPrelude() {
        return List.of();
    }
}
