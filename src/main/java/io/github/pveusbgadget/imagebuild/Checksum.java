package io.github.pveusbgadget.imagebuild;

import io.github.pveusbgadget.plan.Shell;

import io.github.pveusbgadget.progress.Progress;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * How a release zip is checked against the release index, as unRAID's own updater checks it: its {@code md5}
 * (unRAIDServer.plg in unraid/webgui downloads the zip and its md5 and stops with "wrong md5" when
 * {@code md5sum} differs). The index's {@code sha256} is checked too, but only counts where it is this zip's: the
 * index does not always give the zip's sha256 there, so a sha256 that differs while the md5 matches is reported, not
 * fatal. A release without an md5 must match its sha256.
 */
public final class Checksum {
    private final MessageDigest md5 = digest("MD5");
    private final MessageDigest sha256 = digest("SHA-256");

    /** The digests of a file, or of bytes fed with {@link #update}. */
    public record Digests(String md5, String sha256) {
    }

    /** What the check found: whether the zip is the release, and a short account for the log or the error. */
    public record Outcome(boolean verified, String account) {
    }

    public static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is part of every JDK", e);
        }
    }

    public void update(byte[] bytes, int offset, int length) {
        md5.update(bytes, offset, length);
        sha256.update(bytes, offset, length);
    }

    public Digests digests() {
        return new Digests(HexFormat.of().formatHex(md5.digest()), HexFormat.of().formatHex(sha256.digest()));
    }

    /** Both digests of {@code file}, in one pass. */
    public static Digests of(Path file) throws IOException {
        return of(file, Progress.NONE);
    }

    /** As {@link #of(Path)}, showing the reading on {@code progress}. */
    public static Digests of(Path file, Progress progress) throws IOException {
        Checksum checksum = new Checksum();
        byte[] buffer = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file);
             Progress.Meter meter = progress.start("checking " + file.getFileName(), Files.size(file))) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                checksum.update(buffer, 0, n);
                meter.advance(n);
            }
        }
        return checksum.digests();
    }

    /** Checks {@code actual} against what the index says of {@code release}. */
    public static Outcome check(ReleaseIndex.Release release, Digests actual) {
        boolean sha256Given = !release.sha256().isEmpty();
        boolean sha256Matches = sha256Given && release.sha256().equalsIgnoreCase(actual.sha256());
        if (!release.md5().isEmpty()) {
            if (!release.md5().equalsIgnoreCase(actual.md5())) {
                return new Outcome(false, "md5 check failed: the index says " + release.md5() + ", the zip has "
                        + actual.md5());
            }
            return new Outcome(true, sha256Matches ? "md5 and sha256 verified" : sha256Given
                    ? "md5 verified; the index's sha256 is not this zip's" : "md5 verified");
        }
        return sha256Matches ? new Outcome(true, "sha256 verified") : new Outcome(false, "sha256 check failed: the "
                + "index says " + release.sha256() + ", the zip has " + actual.sha256());
    }

    /** The dry-run script's check of the download: md5sum where the index gives an md5, else sha256sum. */
    public static String shellCheck(ReleaseIndex.Release release, String file) {
        return release.md5().isEmpty() ? "printf '%s\\n' " + Shell.quote(release.sha256() + "  " + file)
                + " | sha256sum -c -" : "printf '%s\\n' " + Shell.quote(release.md5() + "  " + file) + " | md5sum -c -";
    }
}
