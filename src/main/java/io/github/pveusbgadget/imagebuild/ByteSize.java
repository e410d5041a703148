package io.github.pveusbgadget.imagebuild;

import io.github.pveusbgadget.ToolException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes on the command line: {@code 2G}, {@code 1536M}, {@code 2GiB}, {@code 2147483648}; binary units. */
public final class ByteSize {
    public static final long KIB = 1024;
    public static final long MIB = 1024 * KIB;
    public static final long GIB = 1024 * MIB;
    public static final long TIB = 1024 * GIB;

    private static final Pattern SYNTAX = Pattern.compile("(\\d{1,15})\\s*([KMGT]?)(I?B)?", Pattern.CASE_INSENSITIVE);

    private ByteSize() {
    }

    /** Parses {@code text} as given to {@code option}; exit 2 with the accepted syntax when it is not a size. */
    public static long parse(String option, String text) {
        Matcher m = SYNTAX.matcher(text.strip());
        if (!m.matches()) {
            throw ToolException.badInput(option + " '" + text + "' is not a size: use e.g. 2G, 1536M or 4GiB");
        }
        long number = Long.parseLong(m.group(1));
        long unit = switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "K" -> KIB;
            case "M" -> MIB;
            case "G" -> GIB;
            case "T" -> TIB;
            default -> 1;
        };
        if (number > Long.MAX_VALUE / unit) {
            throw ToolException.badInput(option + " '" + text + "' is too large");
        }
        return number * unit;
    }

    /** {@code 2 GiB}, {@code 1.5 GiB}, {@code 412 MiB}, {@code 700 KiB}, {@code 12 bytes}. */
    public static String format(long bytes) {
        if (bytes < KIB) {
            return bytes + " bytes";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int i = -1;
        while (value >= 1024 && i < units.length - 1) {
            value /= 1024;
            i++;
        }
        String number = value == Math.rint(value) ? String.valueOf((long) value)
                : String.format(Locale.ROOT, "%.1f", value);
        return number + " " + units[i];
    }
}
