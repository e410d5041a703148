package io.github.pveusbgadget.gadget;

import java.io.IOException;
import java.util.List;

/**
 * One change to the host. A {@link Plan} is a list of these, computed from the wanted and the observed state, and
 * then either printed as a shell script ({@code --dry-run}) or applied.
 */
public interface Step {

    /** One short line for the Proxmox task log. */
    String describe();

    /** The shell lines that make the same change, for {@code --dry-run}. */
    List<String> shell();

    void apply(StepContext context) throws IOException;

    /** Shell functions the lines of {@link #shell()} call; printed once at the top of the script. */
    default List<String> shellPrelude() {
        return List.of();
    }
}
