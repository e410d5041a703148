package io.github.pveusbgadget.gadget;

import java.util.regex.Pattern;

/** Quoting for the dry-run script. */
final class Shell {
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_./:=@%+,-]+");

    private Shell() {
    }

    static String quote(Object value) {
        String text = value.toString();
        if (SAFE.matcher(text).matches()) {
            return text;
        }
        return "'" + text.replace("'", "'\\''") + "'";
    }
}
