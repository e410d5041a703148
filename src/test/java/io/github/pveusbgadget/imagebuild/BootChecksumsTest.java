package io.github.pveusbgadget.imagebuild;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pveusbgadget.ToolException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bz* files against their bz*.sha256, as unRAID's boot checks them, before anything is written. */
class BootChecksumsTest {
    @TempDir
    Path dir;

    @Test
    void aReleaseAsPublishedPasses() throws Exception {
        try (UnraidZip zip = UnraidZip.open(TestZips.unraid(dir))) {
            BootChecksums.Result result = BootChecksums.verify(zip, "--zip x.zip");
            assertThat(result.verified()).containsExactlyInAnyOrder("bzimage", "bzroot", "bzroot-gui", "bzmodules",
                    "bzfirmware");
            assertThat(result.account()).endsWith(" match their .sha256").doesNotContain("warning");
        }
    }

    @Test
    void aTamperedBzrootIsNamed() throws Exception {
        try (UnraidZip zip = UnraidZip.open(TestZips.write(dir.resolve("t.zip"), TestZips.withTamperedBzroot()))) {
            assertThatThrownBy(() -> BootChecksums.verify(zip, "--zip t.zip")).isInstanceOf(ToolException.class)
                    .hasMessageStartingWith("--zip t.zip: bzroot does not match bzroot.sha256 (sha256 ")
                    .hasMessageEndingWith("so unRAID's boot would stop with 'bzroot checksum error'; the zip is "
                            + "damaged or altered, download it again; nothing was written")
                    .satisfies(e -> assertThat(((ToolException) e).exitCode()).isEqualTo(2));
        }
    }

    @Test
    void aChecksumWithoutItsFileOrAnEmptyOneIsRefused() throws Exception {
        Map<String, byte[]> entries = TestZips.unraidLayout();
        entries.remove("bzroot-gui");
        try (UnraidZip zip = UnraidZip.open(TestZips.write(dir.resolve("a.zip"), entries))) {
            assertThatThrownBy(() -> BootChecksums.verify(zip, "--zip a.zip")).hasMessage("--zip a.zip has "
                    + "bzroot-gui.sha256 but no bzroot-gui: unRAID's boot stops with 'bzroot-gui not present'; use the "
                    + "release zip as published");
        }
        entries = TestZips.unraidLayout();
        entries.put("bzimage.sha256", TestZips.text("\n"));
        try (UnraidZip zip = UnraidZip.open(TestZips.write(dir.resolve("b.zip"), entries))) {
            assertThatThrownBy(() -> BootChecksums.verify(zip, "--zip b.zip"))
                    .hasMessageContaining("bzimage does not match bzimage.sha256 (sha256 ")
                    .hasMessageContaining("bzimage.sha256 says nothing)");
        }
    }

    @Test
    void aBootFileWithoutChecksumIsAWarning() throws Exception {
        Map<String, byte[]> entries = TestZips.unraidLayout();
        entries.remove("bzmodules.sha256");
        try (UnraidZip zip = UnraidZip.open(TestZips.write(dir.resolve("c.zip"), entries))) {
            assertThat(BootChecksums.verify(zip, "--zip c.zip").account()).contains("; warning: no .sha256 for "
                    + "bzmodules, unRAID's boot stops without one (unless config/skipbzcheck exists on the flash)");
        }
    }

    @Test
    void theDryRunStepFailsWhereTheBuildDoes() throws Exception {
        Assumptions.assumeTrue(HostTools.has("sha256sum") && HostTools.has("cut"),
                "SKIPPED: sha256sum/cut not found, the dry-run step cannot be run");
        Path good = Files.createDirectory(dir.resolve("good"));
        Path bad = Files.createDirectory(dir.resolve("bad"));
        Map<String, byte[]> entries = TestZips.unraidLayout();
        try (UnraidZip zip = UnraidZip.open(TestZips.write(dir.resolve("g.zip"), entries))) {
            zip.extractTo(good, null, Long.MAX_VALUE);
            zip.extractTo(bad, null, Long.MAX_VALUE);
        }
        Files.writeString(bad.resolve("bzfirmware"), "altered");
        assertThat(HostTools.exec("sh", "-c", "set -eu\n" + BootChecksums.shellStep("'" + good + "'")).exitCode())
                .isZero();
        HostTools.Result failed = HostTools.exec("sh", "-c", "set -eu\n" + BootChecksums.shellStep("'" + bad + "'"));
        assertThat(failed.exitCode()).isNotZero();
        assertThat(failed.output()).contains("bzfirmware does not match bzfirmware.sha256");
    }
}
