package io.github.pveusbgadget.config;

import io.github.pveusbgadget.ToolException;
import java.util.regex.Pattern;

/**
 * A Proxmox VM id: a positive integer written plainly ({@code 100}, never {@code 0100}, {@code -1}, {@code 1e3} or
 * {@code ../1}). It becomes part of file and configfs names, so nothing else may pass.
 */
public record VmId(long value) implements Comparable<VmId> {
    private static final Pattern PLAIN_POSITIVE = Pattern.compile("[1-9][0-9]{0,9}");

    public VmId {
        if (value <= 0) {
            throw new IllegalArgumentException("vmid must be positive: " + value);
        }
    }

    /** Parses a vmid given by the user; a wrong one is bad usage (exit 2). */
    public static VmId parse(String text) {
        if (text == null || !PLAIN_POSITIVE.matcher(text).matches()) {
            throw ToolException.badInput("invalid vmid '" + printable(text)
                    + "': it must be a positive integer such as 100");
        }
        return new VmId(Long.parseLong(text));
    }

    private static String printable(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        text.codePoints().limit(40).forEach(c -> out.append(c >= 0x20 && c < 0x7f ? Character.toString(c) : "?"));
        return out.toString();
    }

    @Override
    public int compareTo(VmId other) {
        return Long.compare(value, other.value);
    }

    @Override
    public String toString() {
        return Long.toString(value);
    }
}
