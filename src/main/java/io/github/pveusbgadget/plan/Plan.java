package io.github.pveusbgadget.plan;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An ordered list of {@link Step}s with the notes that explain the decisions behind it.
 *
 * @param <C> what its steps act on; a step that needs nothing of it ({@code Step<Object>}) fits every plan
 */
public final class Plan<C> {
    private final List<Step<? super C>> steps = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    public Plan<C> add(Step<? super C> step) {
        steps.add(step);
        return this;
    }

    public Plan<C> addAll(Plan<C> other) {
        steps.addAll(other.steps);
        notes.addAll(other.notes);
        return this;
    }

    /** A remark printed as a comment in the dry-run script (e.g. a predicted value). */
    public Plan<C> note(String note) {
        notes.add(note);
        return this;
    }

    public List<Step<? super C>> steps() {
        return Collections.unmodifiableList(steps);
    }

    public List<String> notes() {
        return Collections.unmodifiableList(notes);
    }

    public boolean isEmpty() {
        return steps.isEmpty();
    }

    /**
     * The plan as a runnable POSIX shell script: what {@code --dry-run} of every command prints.
     *
     * @param command the command line it is the plan of, without the program name ({@code up 100})
     */
    public String toShellScript(String command) {
        StringBuilder script = new StringBuilder();
        script.append("#!/bin/sh\n");
        script.append("# pve-usb-gadget ").append(command).append(" (dry run): the steps it would take\n");
        notes.forEach(note -> script.append("# ").append(note).append('\n'));
        script.append("set -eu\n");
        Set<List<String>> preludes = new LinkedHashSet<>();
        steps.forEach(step -> preludes.add(step.shellPrelude()));
        preludes.forEach(prelude -> prelude.forEach(line -> script.append(line).append('\n')));
        steps.forEach(step -> step.shell().forEach(line -> script.append(line).append('\n')));
        if (steps.isEmpty()) {
            script.append("# nothing to do\n");
        }
        return script.toString();
    }
}
