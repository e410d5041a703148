package io.github.pveusbgadget.host;

import java.nio.file.FileSystem;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Paths from text (a config value, an option) with a clear refusal where the JVM cannot represent them. Java encodes
 * file names in the character set of the locale it started in ({@code sun.jnu.encoding}); under {@code LC_ALL=C},
 * which is how Proxmox runs hookscripts, that is ASCII, and {@code /mnt/Sicherung/Stick-ä.img} cannot even be named.
 * The launcher {@code /usr/bin/pve-usb-gadget} switches such a locale to {@code C.UTF-8}; this is for a JVM started
 * some other way.
 */
public final class NativePaths {
    private NativePaths() {
    }

    /**
     * {@code fs.getPath(text)}; an {@link IllegalArgumentException} that names the path, the character and the fix
     * when the JVM's file-name encoding has no room for it.
     */
    public static Path get(FileSystem fs, String text) {
        try {
            return fs.getPath(text);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(explain(text), e);
        }
    }

    /** The one-line explanation for a path the JVM could not take. */
    public static String explain(String text) {
        int bad = text.codePoints().filter(c -> c > 0x7f).findFirst().orElse(-1);
        String encoding = System.getProperty("sun.jnu.encoding", "unknown");
        if (bad < 0 || "UTF-8".equalsIgnoreCase(encoding)) {
            return "'" + text + "' is not a valid path";
        }
        return "'" + text + "' has the character U+" + String.format("%04X", bad) + ", which Java cannot put in a "
                + "file name under this locale (its character set is " + encoding + "; LC_ALL="
                + System.getenv().getOrDefault("LC_ALL", "") + "): run pve-usb-gadget through /usr/bin/pve-usb-gadget, "
                + "which switches to LC_ALL=C.UTF-8, or set LC_ALL=C.UTF-8 yourself";
    }
}
