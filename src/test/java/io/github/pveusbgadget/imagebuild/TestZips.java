package io.github.pveusbgadget.imagebuild;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Zips with the unRAID release layout (or deliberately without it) for the tests. */
final class TestZips {
    static final Path SYSLINUX = Path.of("/usr/bin/syslinux");
    static final Path MBR_BIN = Path.of("/usr/lib/syslinux/mbr/mbr.bin");
    static final Path LDLINUX = Path.of("/usr/lib/syslinux/modules/bios/ldlinux.c32");

    private TestZips() {
    }

    /** The entries of a release: Debian's syslinux where installed (so it can really run), stand-ins otherwise. */
    static Map<String, byte[]> unraidLayout() throws IOException {
        return layout(true);
    }

    /**
     * The entries of a release with stand-ins for syslinux whether it is installed or not: the same bytes on every
     * host, for tests whose expectation depends on the zip's size but that never run the installer.
     */
    static Map<String, byte[]> hostIndependentLayout() throws IOException {
        return layout(false);
    }

    private static Map<String, byte[]> layout(boolean hostSyslinux) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("bzimage", text("kernel stand-in"));
        entries.put("bzroot", bzroot());
        entries.put("bzroot-gui", text("gui"));
        entries.put("bzmodules", text("modules"));
        entries.put("bzfirmware", text("firmware"));
        entries.put("changes.txt", text("# Version 6.12.42 2026-01-01\n"));
        entries.put("license.txt", text("license"));
        entries.put("make_bootable.bat", text("rem"));
        entries.put("make_bootable_linux", text("#!/bin/bash"));
        entries.put("make_bootable_mac", text("#!/bin/bash"));
        entries.put("memtest", text("memtest"));
        entries.put("EFI-/", null);
        entries.put("EFI-/boot/", null);
        entries.put("EFI-/boot/bootx64.efi", text("MZ efi stand-in"));
        entries.put("EFI-/boot/syslinux.cfg", text("default menu.c32\r\nlabel Unraid OS\r\n  kernel /bzimage\r\n"
                + "  append initrd=/bzroot\r\nlabel Memtest86+\r\n  kernel /memtest\r\n"));
        entries.put("syslinux/", null);
        entries.put("syslinux/syslinux.cfg", text("default menu.c32\nlabel Unraid OS\n  kernel /bzimage\n"
                + "  append initrd=/bzroot\n"));
        entries.put("syslinux/menu.c32", text("menu"));
        entries.put("syslinux/ldlinux.c32", hostSyslinux && Files.exists(LDLINUX) ? Files.readAllBytes(LDLINUX)
                : text("ldlinux"));
        entries.put("syslinux/mbr.bin", hostSyslinux && Files.exists(MBR_BIN) ? Files.readAllBytes(MBR_BIN) : mbr());
        entries.put("syslinux/syslinux_linux", hostSyslinux && Files.exists(SYSLINUX) ? Files.readAllBytes(SYSLINUX)
                : new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1});
        entries.put("config/", null);
        entries.put("config/go", text("#!/bin/bash\n/usr/local/sbin/emhttp &\n"));
        entries.put("config/network.cfg", text("# Generated settings:\r\nUSE_DHCP=\"yes\"\r\nBONDING=\"yes\"\r\n"));
        for (String bz : List.of("bzimage", "bzroot", "bzroot-gui", "bzmodules", "bzfirmware")) {
            entries.put(bz + ".sha256", sha256File(entries.get(bz)));
        }
        return entries;
    }

    /** The release layout with one bit of bzroot flipped after its bzroot.sha256 was made. */
    static Map<String, byte[]> withTamperedBzroot() throws IOException {
        Map<String, byte[]> entries = unraidLayout();
        byte[] bzroot = bzroot();
        bzroot[1000] ^= 0x40;
        entries.put("bzroot", bzroot);
        return entries;
    }

    /** A {@code bz*.sha256} as unRAID ships it: the hex digest and a line end. */
    static byte[] sha256File(byte[] content) {
        try {
            return text(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)) + "\n");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path write(Path zip, Map<String, byte[]> entries) throws IOException {
        try (OutputStream file = Files.newOutputStream(zip); ZipOutputStream out = new ZipOutputStream(file)) {
            out.setLevel(1);
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                out.putNextEntry(new ZipEntry(e.getKey()));
                if (e.getValue() != null) {
                    out.write(e.getValue());
                }
                out.closeEntry();
            }
        }
        return zip;
    }

    static Path unraid(Path dir) throws IOException {
        return write(dir.resolve("unRAIDServer-6.12.42-x86_64.zip"), unraidLayout());
    }

    /** Over 1 MiB, so that the image builder streams it from the zip; not all zeros, so that a copy is checked. */
    static byte[] bzroot() {
        byte[] data = new byte[1_500_000];
        new java.util.Random(42).nextBytes(data);
        return data;
    }

    static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] mbr() {
        byte[] mbr = new byte[440];
        for (int i = 0; i < mbr.length; i++) {
            mbr[i] = (byte) (i * 7 + 1);
        }
        return mbr;
    }
}
