package io.github.pveusbgadget.imagebuild;

import io.github.pveusbgadget.ToolException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A flash labelled other than {@code UNRAID} boots only when unRAID's kernel command line says which label to look
 * for: {@code rc.S} (unraid/webgui, etc/rc.d/rc.S) takes {@code unraidlabel=L} from {@code /proc/cmdline} and waits
 * for {@code blkid -L L}, else for {@code UNRAID}. So every {@code append} line of both syslinux configs, the BIOS one
 * ({@code syslinux/syslinux.cfg}) and the UEFI one ({@code EFI/boot/syslinux.cfg}), gets {@code unraidlabel=L}
 * (replacing one it has). unRAID's updater replaces only {@code syslinux/syslinux.cfg-}, the template, so the
 * parameter survives updates. unRAID's USB creator always writes {@code UNRAID} ("the volume label needs to be
 * UNRAID for the make bootable script to work", usb-creator-next src/imagewriter.cpp), which stays the default.
 */
public final class SyslinuxLabel {
    /** Where unRAID's syslinux configs are on the flash: BIOS, then UEFI. */
    public static final List<String> CONFIGS = List.of("syslinux/syslinux.cfg", "EFI/boot/syslinux.cfg");
    private static final Pattern APPEND = Pattern.compile("(?i)^\\s*append\\s.*");
    private static final Pattern EXISTING = Pattern.compile("\\s+unraidlabel=\\S*");

    private SyslinuxLabel() {
    }

    /** Whether {@code label} needs the kernel parameter: every label but the one unRAID looks for anyway. */
    public static boolean needed(String label) {
        return !VolumeLabel.UNRAID.equals(label);
    }

    /**
     * Checks, before anything is written, that each of the zip's syslinux configs has an {@code append} line to
     * carry the parameter; exit 2 naming the config otherwise (the flash would not be found).
     */
    public static void check(UnraidZip zip, String label) {
        if (!needed(label)) {
            return;
        }
        for (String config : CONFIGS) {
            Optional<String> name = zip.fileAt(config);
            if (name.isPresent() && zip.text(name.get()).lines().noneMatch(l -> APPEND.matcher(l).matches())) {
                throw ToolException.badInput("--label " + label + ": " + name.get() + " in " + zip.source()
                        .getFileName() + " has no 'append' line to carry unraidlabel=" + label + ", so unRAID would "
                        + "not find its flash; use --label " + VolumeLabel.UNRAID);
            }
        }
    }

    /** {@code config} with {@code unraidlabel=label} at the end of every {@code append} line; line ends kept. */
    static String rewrite(String config, String label) {
        StringBuilder out = new StringBuilder();
        for (String line : config.split("(?<=\n)", -1)) {
            String end = line.endsWith("\r\n") ? "\r\n" : line.endsWith("\n") ? "\n" : "";
            String body = line.substring(0, line.length() - end.length());
            String cr = body.endsWith("\r") ? "\r" : "";
            body = body.substring(0, body.length() - cr.length());
            if (APPEND.matcher(body).matches()) {
                body = EXISTING.matcher(body).replaceAll("") + " unraidlabel=" + label;
            }
            out.append(body).append(cr).append(end);
        }
        return out.toString();
    }

    /**
     * Writes the parameter into the configs the zip unpacked under {@code root}.
     *
     * @return the flash paths of the configs written (empty when the label needs none)
     */
    public static List<String> writeInto(Path root, UnraidZip zip, String label) throws IOException {
        List<String> written = new ArrayList<>();
        if (!needed(label)) {
            return written;
        }
        for (String config : CONFIGS) {
            Optional<String> name = zip.fileAt(config);
            if (name.isPresent()) {
                Path file = root.resolve(zip.target(name.get()));
                // Latin-1 maps every byte to one char and back: the rest of the file stays byte for byte.
                Files.writeString(file, rewrite(Files.readString(file, StandardCharsets.ISO_8859_1), label),
                        StandardCharsets.ISO_8859_1);
                written.add(zip.target(name.get()));
            }
        }
        return written;
    }

    /** The dry-run script's step: the same edit with GNU sed on the unpacked files under {@code root}. */
    public static String shellStep(String root, String label) {
        StringBuilder s = new StringBuilder("# unRAID finds a flash not labelled " + VolumeLabel.UNRAID
                + " by unraidlabel= on its kernel command line\nfor cfg in");
        CONFIGS.forEach(c -> s.append(" \"").append(root).append(c).append('"'));
        return s.append("; do if [ -f \"$cfg\" ]; then sed -i -E '/^[[:space:]]*[Aa][Pp][Pp][Ee][Nn][Dd][[:space:]]/")
                .append("{s/[[:space:]]+unraidlabel=[^[:space:]]*//g;s/(\\r?)$/ unraidlabel=").append(label)
                .append("\\1/}' \"$cfg\"; fi; done").toString();
    }
}
