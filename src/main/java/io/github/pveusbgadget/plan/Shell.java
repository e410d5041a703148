package io.github.pveusbgadget.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The one place that writes shell text: quoting of words and the POSIX forms of what the steps do, so that every
 * dry-run script runs under any {@code /bin/sh} (dash included) and means exactly what the apply does.
 */
public final class Shell {
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_./:=@%+,-]+");

    private Shell() {
    }

    /** {@code value} as one shell word: as it is when that is safe, else in single quotes. */
    public static String quote(Object value) {
        String text = value.toString();
        if (SAFE.matcher(text).matches()) {
            return text;
        }
        return "'" + text.replace("'", "'\\''") + "'";
    }

    /** {@code words} as one command line. */
    public static String join(List<String> words) {
        return words.stream().map(Shell::quote).collect(Collectors.joining(" "));
    }

    /**
     * Writes {@code value} and a line break to {@code file}: {@code printf '%s\n'}, never {@code echo}, which
     * interprets backslashes in dash.
     */
    public static String writeLine(String value, Object file) {
        return "printf '%s\\n' " + quote(value) + " > " + quote(file);
    }

    /**
     * The command that prints exactly {@code content}, carriage returns included (which a here-document cannot
     * carry): one {@code printf} whose format holds the text with {@code \\}, {@code %}, CR and LF escaped.
     */
    public static String printExactly(String content) {
        StringBuilder format = new StringBuilder();
        for (char c : content.toCharArray()) {
            switch (c) {
                case '\\' -> format.append("\\\\");
                case '%' -> format.append("%%");
                case '\r' -> format.append("\\r");
                case '\n' -> format.append("\\n");
                case '\'' -> format.append("'\\''");
                default -> format.append(c);
            }
        }
        return "printf '" + format + "'";
    }

    /**
     * {@code command <<'DELIMITER'}, the lines of {@code content}, the delimiter: a quoted here-document (nothing in
     * it is expanded) whose delimiter no line of the content is.
     */
    public static List<String> hereDocument(String command, String content) {
        String delimiter = "EOF";
        while (content.lines().anyMatch(delimiter::equals)) {
            delimiter = "PVE_USB_GADGET_" + delimiter;
        }
        List<String> lines = new ArrayList<>();
        lines.add(command + " <<'" + delimiter + "'");
        content.lines().forEach(lines::add);
        lines.add(delimiter);
        return lines;
    }
}
