package io.github.pveusbgadget.image;

import io.github.pveusbgadget.ToolException;

/**
 * Why an image cannot back a gadget now.
 *
 * @param badConfig whether the configuration is at fault (exit 2) rather than the host's state (exit 1)
 */
public record ImageProblem(boolean badConfig, String message) {

    public ToolException toException() {
        return badConfig ? ToolException.badInput(message) : ToolException.refused(message);
    }
}
