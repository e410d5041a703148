package io.github.pveusbgadget.imagebuild;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.progress.Progress;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@code bz*} files of a release against their {@code bz*.sha256}, checked before anything is written, as
 * unRAID checks them: its boot ({@code bzcheck} in etc/rc.d/rc.S of unraid/webgui) compares the first 64 characters of
 * {@code sha256sum bzX} with those of {@code bzX.sha256} for bzimage, bzroot, bzfirmware, bzmodules and bzroot-gui and
 * stops with "bzX checksum error", or "bzX.sha256 not present"; its updater checks every {@code *.sha256} it
 * unpacks the same way.
 */
public final class BootChecksums {
    /** The files unRAID's boot checks, in its order. */
    static final List<String> BOOT_CHECKED = List.of("bzimage", "bzroot", "bzfirmware", "bzmodules", "bzroot-gui");
    private static final String SUFFIX = ".sha256";

    private BootChecksums() {
    }

    /**
     * Verifies every {@code bz*.sha256} in the top folder of the zip; {@code source} names the zip in the error
     * (e.g. {@code --zip /x/unRAIDServer-7.1.4-x86_64.zip}). Exit 2 naming the first file that differs.
     *
     * @return the files verified, and a warning for each file unRAID's boot checks that has no .sha256
     */
    public static Result verify(UnraidZip zip, String source) {
        return verify(zip, source, Progress.NONE);
    }

    /** As {@link #verify(UnraidZip, String)}, showing the reading of each file on {@code progress}. */
    public static Result verify(UnraidZip zip, String source, Progress progress) {
        List<String> verified = new ArrayList<>();
        for (String sums : zip.names()) {
            String lower = sums.toLowerCase(Locale.ROOT);
            if (sums.contains("/") || !lower.startsWith("bz") || !lower.endsWith(SUFFIX)) {
                continue;
            }
            String file = sums.substring(0, sums.length() - SUFFIX.length());
            Optional<String> entry = zip.names().stream().filter(n -> n.equalsIgnoreCase(file)).findFirst();
            if (entry.isEmpty()) {
                throw ToolException.badInput(source + " has " + sums + " but no " + file + ": unRAID's boot stops "
                        + "with '" + file + " not present'; use the release zip as published");
            }
            String expected = zip.text(sums).strip().toLowerCase(Locale.ROOT);
            expected = expected.length() > 64 ? expected.substring(0, 64) : expected;
            String actual = sha256(zip, entry.get(), source, progress);
            if (!actual.equals(expected)) {
                throw ToolException.badInput(source + ": " + entry.get() + " does not match " + sums + " (sha256 "
                        + actual + ", " + sums + " says " + (expected.isEmpty() ? "nothing" : expected) + "), so "
                        + "unRAID's boot would stop with '" + entry.get() + " checksum error'; the zip is damaged or "
                        + "altered, download it again; nothing was written");
            }
            verified.add(entry.get());
        }
        List<String> unchecked = new ArrayList<>();
        for (String file : BOOT_CHECKED) {
            zip.names().stream().filter(n -> n.equalsIgnoreCase(file)).findFirst()
                    .filter(n -> verified.stream().noneMatch(v -> v.equalsIgnoreCase(n))).ifPresent(unchecked::add);
        }
        return new Result(verified, unchecked);
    }

    /** As {@link #verify(UnraidZip, String, Progress)} for the zip file {@code zipFile}: the line for the log. */
    public static String verify(Path zipFile, String source, Progress progress) {
        try (UnraidZip zip = UnraidZip.open(zipFile)) {
            return verify(zip, source, progress).account();
        }
    }

    /** The dry-run script's step: the same check, as rc.S makes it, on the files unpacked in {@code dir}. */
    public static String shellStep(String dir) {
        return "(cd " + dir + " && for s in bz*" + SUFFIX + "; do [ -f \"$s\" ] || continue; [ \"$(sha256sum < "
                + "\"${s%" + SUFFIX + "}\" | cut -c1-64)\" = \"$(cut -c1-64 \"$s\")\" ] || { printf '%s\\n' \"${s%"
                + SUFFIX + "} does not match $s\" >&2; exit 1; }; done)";
    }

    /** What {@link #verify} found. */
    public record Result(List<String> verified, List<String> withoutSums) {
        /** One line for the log: the files verified, and those unRAID's boot will miss a .sha256 for. */
        public String account() {
            String ok = verified.isEmpty() ? "no bz*.sha256 in the zip" : String.join(", ", verified)
                    + " match their .sha256";
            return withoutSums.isEmpty() ? ok : ok + "; warning: no .sha256 for " + String.join(", ", withoutSums)
                    + ", unRAID's boot stops without one (unless config/skipbzcheck exists on the flash)";
        }
    }

    private static String sha256(UnraidZip zip, String name, String source, Progress progress) {
        MessageDigest digest = Checksum.digest("SHA-256");
        try (OutputStream sink = new DigestOutputStream(OutputStream.nullOutputStream(), digest);
             Progress.Meter meter = progress.start("checking " + name, zip.size(name))) {
            zip.copy(name, sink, Long.MAX_VALUE, meter::advance);
        } catch (IOException e) {
            throw ToolException.badInput(source + ": cannot read " + name + " (" + e.getMessage() + "); the zip is "
                    + "damaged: download it again");
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
