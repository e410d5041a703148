package io.github.pveusbgadget.imagebuild;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pveusbgadget.ToolException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A label other than UNRAID reaches unRAID's rc.S as unraidlabel= on the kernel command line. */
class SyslinuxLabelTest {
    /** unRAID's own syslinux.cfg, as its releases ship it (CRLF). */
    private static final String UNRAID_CFG = "default menu.c32\r\nmenu title Lime Technology, Inc.\r\nprompt 0\r\n"
            + "timeout 50\r\nlabel Unraid OS\r\n  menu default\r\n  kernel /bzimage\r\n  append initrd=/bzroot\r\n"
            + "label Unraid OS GUI Mode\r\n  kernel /bzimage\r\n  append initrd=/bzroot,/bzroot-gui\r\n"
            + "label Unraid OS Safe Mode (no plugins, no GUI)\r\n  kernel /bzimage\r\n"
            + "  append initrd=/bzroot unraidsafemode\r\nlabel Memtest86+\r\n  kernel /memtest\r\n";

    @TempDir
    Path dir;

    @Test
    void everyAppendLineGetsTheLabelAndNothingElseChanges() {
        String out = SyslinuxLabel.rewrite(UNRAID_CFG, "FLASH_2");
        assertThat(out).isEqualTo(UNRAID_CFG.replace("append initrd=/bzroot\r\n",
                        "append initrd=/bzroot unraidlabel=FLASH_2\r\n")
                .replace("/bzroot-gui\r\n", "/bzroot-gui unraidlabel=FLASH_2\r\n")
                .replace("unraidsafemode\r\n", "unraidsafemode unraidlabel=FLASH_2\r\n"));
        assertThat(out.lines().filter(l -> l.contains("unraidlabel="))).hasSize(3);
    }

    @Test
    void anExistingParameterIsReplacedNotDoubled() {
        assertThat(SyslinuxLabel.rewrite("LABEL a\n\tAPPEND initrd=/bzroot unraidlabel=OLD quiet\n", "NEW"))
                .isEqualTo("LABEL a\n\tAPPEND initrd=/bzroot quiet unraidlabel=NEW\n");
        assertThat(SyslinuxLabel.rewrite("append x unraidlabel=A", "B")).isEqualTo("append x unraidlabel=B");
    }

    @Test
    void theDefaultLabelNeedsNoParameter() throws Exception {
        Path zip = TestZips.unraid(dir);
        try (UnraidZip unraid = UnraidZip.open(zip)) {
            assertThat(SyslinuxLabel.needed("UNRAID")).isFalse();
            assertThat(SyslinuxLabel.writeInto(dir, unraid, "UNRAID")).isEmpty();
        }
    }

    @Test
    void bothConfigsOfTheZipAreWritten() throws Exception {
        Path zip = TestZips.unraid(dir);
        Path root = Files.createDirectory(dir.resolve("root"));
        try (UnraidZip unraid = UnraidZip.open(zip)) {
            unraid.extractTo(root, null, Long.MAX_VALUE);
            assertThat(SyslinuxLabel.writeInto(root, unraid, "FLASH"))
                    .containsExactly("syslinux/syslinux.cfg", "EFI/boot/syslinux.cfg");
        }
        assertThat(root.resolve("syslinux/syslinux.cfg")).content(StandardCharsets.ISO_8859_1)
                .contains("  append initrd=/bzroot unraidlabel=FLASH\n");
        assertThat(root.resolve("EFI/boot/syslinux.cfg")).content(StandardCharsets.ISO_8859_1)
                .contains("  append initrd=/bzroot unraidlabel=FLASH\r\nlabel Memtest86+\r\n  kernel /memtest\r\n");
    }

    @Test
    void aConfigWithoutAnAppendLineIsRefusedBeforeAnythingIsWritten() throws Exception {
        Map<String, byte[]> entries = TestZips.unraidLayout();
        entries.put("EFI-/boot/syslinux.cfg", TestZips.text("default /bzimage\r\n"));
        Path zip = TestZips.write(dir.resolve("odd.zip"), entries);
        try (UnraidZip unraid = UnraidZip.open(zip)) {
            SyslinuxLabel.check(unraid, "UNRAID");
            assertThatThrownBy(() -> SyslinuxLabel.check(unraid, "FLASH")).isInstanceOf(ToolException.class)
                    .hasMessage("--label FLASH: EFI-/boot/syslinux.cfg in odd.zip has no 'append' line to carry "
                            + "unraidlabel=FLASH, so unRAID would not find its flash; use --label UNRAID");
        }
    }

    @Test
    void theDryRunStepDoesWhatTheBuildDoes() throws Exception {
        Assumptions.assumeTrue(HostTools.has("sed"), "SKIPPED: sed not found, the dry-run step cannot be run");
        Path cfg = dir.resolve("syslinux/syslinux.cfg");
        Files.createDirectories(cfg.getParent());
        String withOld = UNRAID_CFG.replace("unraidsafemode", "unraidsafemode unraidlabel=OLD");
        Files.writeString(cfg, withOld, StandardCharsets.ISO_8859_1);
        String step = SyslinuxLabel.shellStep(dir + "/", "FLASH");
        HostTools.Result result = HostTools.exec("sh", "-c", "set -eu\n" + step);
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(cfg).content(StandardCharsets.ISO_8859_1).isEqualTo(SyslinuxLabel.rewrite(withOld, "FLASH"));
    }
}
