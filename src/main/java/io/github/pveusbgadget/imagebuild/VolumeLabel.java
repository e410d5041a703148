package io.github.pveusbgadget.imagebuild;

import io.github.pveusbgadget.ToolException;

/** A FAT volume label: 1 to 11 characters a DOS short name allows, upper case (unRAID looks for {@code UNRAID}). */
public final class VolumeLabel {
    private static final String ALLOWED = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !#$%&'()-@^_{}~";

    private VolumeLabel() {
    }

    public static String validate(String label) {
        if (label.isEmpty() || label.length() > 11) {
            throw ToolException.badInput("--label '" + label + "' must be 1 to 11 characters (unRAID needs UNRAID)");
        }
        if (!label.equals(label.strip())) {
            throw ToolException.badInput("--label '" + label + "' must not start or end with a space");
        }
        for (char c : label.toCharArray()) {
            if (ALLOWED.indexOf(c) < 0) {
                throw ToolException.badInput("--label '" + label + "': '" + c + "' is not allowed in a FAT label; use "
                        + "upper-case letters, digits, space or " + ALLOWED.substring(37) + " (unRAID needs UNRAID)");
            }
        }
        return label;
    }
}
