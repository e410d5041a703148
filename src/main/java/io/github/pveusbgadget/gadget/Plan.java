package io.github.pveusbgadget.gadget;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** An ordered list of {@link Step}s with the notes that explain the decisions behind it. */
public final class Plan {
    private final List<Step> steps = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    public Plan add(Step step) {
        steps.add(step);
        return this;
    }

    public Plan addAll(Plan other) {
        steps.addAll(other.steps);
        notes.addAll(other.notes);
        return this;
    }

    /** A remark printed as a comment in the dry-run script (e.g. a predicted value). */
    public Plan note(String note) {
        notes.add(note);
        return this;
    }

    public List<Step> steps() {
        return Collections.unmodifiableList(steps);
    }

    public List<String> notes() {
        return Collections.unmodifiableList(notes);
    }

    public boolean isEmpty() {
        return steps.isEmpty();
    }

    /** The plan as a runnable POSIX shell script. */
    public String toShellScript(String title) {
        StringBuilder script = new StringBuilder();
        script.append("#!/bin/sh\n");
        script.append("# ").append(title).append('\n');
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
