package io.github.pveusbgadget.imagebuild;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Quoting for the dry-run script. */
final class ShellText {
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_./:=@%+,-]+");

    private ShellText() {
    }

    static String quote(Object value) {
        String text = value.toString();
        return SAFE.matcher(text).matches() ? text : "'" + text.replace("'", "'\\''") + "'";
    }

    static String command(List<String> words) {
        return words.stream().map(ShellText::quote).collect(Collectors.joining(" "));
    }
}
