package io.github.pveusbgadget.imagebuild;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pveusbgadget.ToolException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnraidZipTest {
    @TempDir
    Path dir;

    @Test
    void aReleaseZipBecomesTheFlashDrivesTree() throws Exception {
        try (UnraidZip zip = UnraidZip.open(TestZips.unraid(dir))) {
            assertThat(zip.renamesEfi()).isTrue();
            assertThat(zip.copiesLdlinux()).isTrue();
            assertThat(zip.installer()).isEqualTo("syslinux/syslinux_linux");
            assertThat(zip.version()).contains("6.12.42");
            assertThat(zip.mbrBootCode()).hasSize(440);
            assertThat(zip.target("EFI-/boot/bootx64.efi")).isEqualTo("EFI/boot/bootx64.efi");
            Path root = Files.createDirectory(dir.resolve("root"));
            NetworkSettings network = NetworkSettings.of("static", "192.168.1.9/24", "192.168.1.1", null);
            zip.extractTo(root, network, Long.MAX_VALUE);
            assertThat(root.resolve("EFI/boot/bootx64.efi")).exists();
            assertThat(root.resolve("EFI-")).doesNotExist();
            assertThat(root.resolve("ldlinux.c32")).hasSameBinaryContentAs(root.resolve("syslinux/ldlinux.c32"));
            assertThat(Files.readString(root.resolve("config/network.cfg"))).isEqualTo("# Generated settings:\r\n"
                    + "USE_DHCP=\"no\"\r\nBONDING=\"yes\"\r\nIPADDR=\"192.168.1.9\"\r\nNETMASK=\"255.255.255.0\"\r\n"
                    + "GATEWAY=\"192.168.1.1\"\r\nDNS_SERVER1=\"192.168.1.1\"\r\n");
            assertThat(root.resolve("bzroot")).hasBinaryContent(TestZips.bzroot());
        }
    }

    @Test
    void aZipWithItsFilesInOneTopFolderIsAccepted() throws Exception {
        Map<String, byte[]> nested = new LinkedHashMap<>();
        TestZips.unraidLayout().forEach((name, data) -> nested.put("unRAIDServer-6.12.42/" + name, data));
        try (UnraidZip zip = UnraidZip.open(TestZips.write(dir.resolve("nested.zip"), nested))) {
            Path root = Files.createDirectory(dir.resolve("root"));
            zip.extractTo(root, null, Long.MAX_VALUE);
            assertThat(root.resolve("bzimage")).exists();
            assertThat(root.resolve("syslinux/syslinux.cfg")).exists();
        }
    }

    @Test
    void anEfiFolderThatIsAlreadyEnabledStays() throws Exception {
        Map<String, byte[]> entries = TestZips.unraidLayout();
        entries.remove("EFI-/");
        entries.remove("EFI-/boot/");
        entries.put("EFI/boot/bootx64.efi", entries.remove("EFI-/boot/bootx64.efi"));
        try (UnraidZip zip = UnraidZip.open(TestZips.write(dir.resolve("efi.zip"), entries))) {
            assertThat(zip.renamesEfi()).isFalse();
            assertThat(zip.target("EFI/boot/bootx64.efi")).isEqualTo("EFI/boot/bootx64.efi");
        }
    }

    @Test
    void missingPiecesAreNamed() throws Exception {
        Map<String, byte[]> entries = TestZips.unraidLayout();
        entries.remove("bzroot");
        entries.remove("syslinux/mbr.bin");
        Path zip = TestZips.write(dir.resolve("broken.zip"), entries);
        assertThatThrownBy(() -> UnraidZip.open(zip)).isInstanceOf(ToolException.class)
                .hasMessage("--zip " + zip + " does not have the unRAID release layout: missing bzroot, "
                        + "syslinux/mbr.bin (expected an unRAIDServer-<version>-x86_64.zip as published)")
                .satisfies(e -> assertThat(((ToolException) e).exitCode()).isEqualTo(2));
    }

    @Test
    void unsafeOrUnusableZipsAreRefused() throws Exception {
        Map<String, byte[]> traversal = TestZips.unraidLayout();
        traversal.put("../evil", TestZips.text("x"));
        assertThatThrownBy(() -> UnraidZip.open(TestZips.write(dir.resolve("t.zip"), traversal)))
                .hasMessageContaining("unsafe entry '../evil'");

        Map<String, byte[]> notElf = TestZips.unraidLayout();
        notElf.put("syslinux/syslinux_linux", TestZips.text("#!/bin/sh\n"));
        assertThatThrownBy(() -> UnraidZip.open(TestZips.write(dir.resolve("e.zip"), notElf)))
                .hasMessageContaining("syslinux/syslinux_linux is not a Linux program");

        Map<String, byte[]> shortMbr = TestZips.unraidLayout();
        shortMbr.put("syslinux/mbr.bin", new byte[100]);
        assertThatThrownBy(() -> UnraidZip.open(TestZips.write(dir.resolve("m.zip"), shortMbr)))
                .hasMessageContaining("syslinux/mbr.bin has 100 bytes");

        Map<String, byte[]> caseClash = TestZips.unraidLayout();
        caseClash.put("BZIMAGE", TestZips.text("x"));
        assertThatThrownBy(() -> UnraidZip.open(TestZips.write(dir.resolve("c.zip"), caseClash)))
                .hasMessageContaining("differ only in case");

        Path text = Files.writeString(dir.resolve("notes.zip"), "not a zip", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> UnraidZip.open(text)).hasMessageContaining("is not a zip file");
        assertThatThrownBy(() -> UnraidZip.open(dir.resolve("absent.zip")))
                .hasMessageContaining("does not exist");
    }

    @Test
    void aZipThatUnpacksPastTheLimitStops() throws Exception {
        try (UnraidZip zip = UnraidZip.open(TestZips.unraid(dir))) {
            Path root = Files.createDirectory(dir.resolve("root"));
            assertThatThrownBy(() -> zip.extractTo(root, null, 1000)).isInstanceOf(ToolException.class)
                    .hasMessageContaining("more than the image holds");
        }
    }
}
