package io.github.pveusbgadget.cli;

import java.util.Optional;

/** The phases Proxmox runs a hookscript in, and what each does here. */
public enum HookPhase {
    PRE_START("pre-start"),
    POST_START("post-start"),
    PRE_STOP("pre-stop"),
    POST_STOP("post-stop");

    private final String argument;

    HookPhase(String argument) {
        this.argument = argument;
    }

    public static Optional<HookPhase> parse(String argument) {
        for (HookPhase phase : values()) {
            if (phase.argument.equals(argument)) {
                return Optional.of(phase);
            }
        }
        return Optional.empty();
    }
}
