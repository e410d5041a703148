package io.github.pveusbgadget.imagebuild;

import io.github.pveusbgadget.plan.Shell;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The checksum a release index gives for a zip: SHA-256 when it has one, else MD5. */
public record Checksum(String algorithm, String expected) {

    public static Checksum of(ReleaseIndex.Release release) {
        return release.sha256().isEmpty() ? new Checksum("MD5", release.md5())
                : new Checksum("SHA-256", release.sha256());
    }

    public static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is part of every JDK", e);
        }
    }

    /** The lower-case hex digest of {@code file}. */
    public String compute(Path file) throws IOException {
        MessageDigest digest = digest(algorithm);
        byte[] buffer = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    public boolean matches(Path file) throws IOException {
        return compute(file).equalsIgnoreCase(expected);
    }

    /** The shell command that checks it, for the dry-run script. */
    public String shellCheck(String file) {
        return "printf '%s\\n' " + Shell.quote(expected + "  " + file) + " | " + ("MD5".equals(algorithm) ? "md5sum"
                : "sha256sum") + " -c -";
    }
}
