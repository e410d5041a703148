package io.github.pveusbgadget.imagebuild;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A zip against the index: md5 as unRAID's updater checks it, sha256 where it is the zip's. */
class ChecksumTest {
    private static final String MD5_OF_HELLO = "5d41402abc4b2a76b9719d911017c592";
    private static final String SHA256_OF_HELLO = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

    @TempDir
    Path dir;

    private static ReleaseIndex.Release release(String md5, String sha256) {
        return new ReleaseIndex.Release("7.1.4", "", "http://127.0.0.1/u.zip", md5, sha256, 5, "", "stable");
    }

    @Test
    void bothDigestsInOnePass() throws Exception {
        Path file = Files.writeString(dir.resolve("hello"), "hello", StandardCharsets.US_ASCII);
        assertThat(Checksum.of(file)).isEqualTo(new Checksum.Digests(MD5_OF_HELLO, SHA256_OF_HELLO));
    }

    @Test
    void theMd5DecidesAndTheSha256CountsWhereItIsTheZips() {
        Checksum.Digests hello = new Checksum.Digests(MD5_OF_HELLO, SHA256_OF_HELLO);
        assertThat(Checksum.check(release(MD5_OF_HELLO, SHA256_OF_HELLO.toUpperCase()), hello))
                .isEqualTo(new Checksum.Outcome(true, "md5 and sha256 verified"));
        assertThat(Checksum.check(release(MD5_OF_HELLO, "1".repeat(64)), hello))
                .isEqualTo(new Checksum.Outcome(true, "md5 verified; the index's sha256 is not this zip's"));
        assertThat(Checksum.check(release(MD5_OF_HELLO, ""), hello)).isEqualTo(new Checksum.Outcome(true,
                "md5 verified"));
        assertThat(Checksum.check(release("0".repeat(32), SHA256_OF_HELLO), hello)).isEqualTo(new Checksum.Outcome(
                false, "md5 check failed: the index says " + "0".repeat(32) + ", the zip has " + MD5_OF_HELLO));
    }

    @Test
    void withoutAnMd5TheSha256MustMatch() {
        Checksum.Digests hello = new Checksum.Digests(MD5_OF_HELLO, SHA256_OF_HELLO);
        assertThat(Checksum.check(release("", SHA256_OF_HELLO), hello)).isEqualTo(new Checksum.Outcome(true,
                "sha256 verified"));
        assertThat(Checksum.check(release("", "2".repeat(64)), hello).verified()).isFalse();
    }

    @Test
    void theDryRunChecksTheMd5() {
        assertThat(Checksum.shellCheck(release(MD5_OF_HELLO, SHA256_OF_HELLO), "/c/u.zip.part"))
                .isEqualTo("printf '%s\\n' '" + MD5_OF_HELLO + "  /c/u.zip.part' | md5sum -c -");
        assertThat(Checksum.shellCheck(release("", SHA256_OF_HELLO), "/c/u.zip.part"))
                .isEqualTo("printf '%s\\n' '" + SHA256_OF_HELLO + "  /c/u.zip.part' | sha256sum -c -");
    }
}
