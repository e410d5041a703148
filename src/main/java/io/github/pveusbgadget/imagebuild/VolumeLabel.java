package io.github.pveusbgadget.imagebuild;

import io.github.pveusbgadget.ToolException;

/**
 * The FAT volume label of an unRAID flash: unRAID's boot ({@code rc.S}) finds its flash with {@code blkid -L} by the
 * label {@code UNRAID}, or by the one {@code unraidlabel=} names on the kernel command line (see
 * {@link SyslinuxLabel}); unRAID's docs allow only A-Z, 0-9, '-' and '_' in it, and {@code rc.S} splits the command
 * line at blanks. FAT holds 11 characters.
 */
public final class VolumeLabel {
    /** The label unRAID looks for when its kernel command line names none. */
    public static final String UNRAID = "UNRAID";
    private static final int MAX_LENGTH = 11;

    private VolumeLabel() {
    }

    /** {@code label} when unRAID can find a flash by it; exit 2 naming the rule otherwise. */
    public static String validate(String label) {
        if (label.isEmpty() || label.length() > MAX_LENGTH || !label.matches("[A-Z0-9_-]+")) {
            throw ToolException.badInput("--label '" + label + "': unRAID finds its flash only by a label of 1 to "
                    + MAX_LENGTH + " characters A-Z, 0-9, '-' and '_' (upper case); use " + UNRAID
                    + " (the default) or such a label");
        }
        return label;
    }
}
