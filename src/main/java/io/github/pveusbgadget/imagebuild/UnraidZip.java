package io.github.pveusbgadget.imagebuild;

import io.github.pveusbgadget.ToolException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongConsumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.apache.commons.io.IOUtils;

/**
 * An unRAID release zip, checked for the layout {@code make_bootable} relies on, and the file tree it becomes on
 * the flash drive: {@code EFI-} renamed {@code EFI} (UEFI boot allowed), {@code syslinux/ldlinux.c32} also in the
 * root, and optionally a rewritten {@code config/network.cfg}.
 */
public final class UnraidZip implements AutoCloseable {
    /** Files every unRAID release has and the boot needs. */
    public static final List<String> REQUIRED = List.of("bzimage", "bzroot", "syslinux/syslinux.cfg",
            "syslinux/ldlinux.c32", "syslinux/mbr.bin");
    /** The Linux syslinux installer of the zip, by the names releases have used. */
    public static final List<String> INSTALLERS = List.of("syslinux/syslinux_linux", "syslinux/syslinux");
    private static final String FAT_FORBIDDEN = "\"*:<>?\\|";

    private final Path source;
    private final ZipFile zip;
    /** Target path on the flash drive (as in the zip, after renames) to the zip entry; directories end in '/'. */
    private final Map<String, ZipEntry> files;
    private final TreeSet<String> directories;
    private final String installer;
    private final byte[] mbr;

    private UnraidZip(Path source, ZipFile zip, Map<String, ZipEntry> files, TreeSet<String> directories,
                      String installer, byte[] mbr) {
        this.source = source;
        this.zip = zip;
        this.files = files;
        this.directories = directories;
        this.installer = installer;
        this.mbr = mbr;
    }

    /** Opens and checks {@code path}; exit 2 naming the file and what is missing when it is not an unRAID zip. */
    public static UnraidZip open(Path path) {
        if (!Files.isRegularFile(path)) {
            throw ToolException.badInput("--zip " + path + " does not exist or is not a file");
        }
        ZipFile zip;
        try {
            zip = new ZipFile(path.toFile(), StandardCharsets.UTF_8);
        } catch (ZipException e) {
            throw ToolException.badInput("--zip " + path + " is not a zip file (" + e.getMessage() + "); download "
                    + "an unRAID release zip (unRAIDServer-<version>-x86_64.zip)");
        } catch (IOException e) {
            throw ToolException.failed("cannot read --zip " + path + ": " + e.getMessage(), e);
        }
        try {
            return check(path, zip);
        } catch (RuntimeException e) {
            IOUtils.closeQuietly(zip);
            throw e;
        }
    }

    private static UnraidZip check(Path path, ZipFile zip) {
        Map<String, ZipEntry> raw = new LinkedHashMap<>();
        for (ZipEntry entry : Collections.list(zip.entries())) {
            String name = entry.getName().replace('\\', '/');
            if (name.startsWith("/") || name.matches("^[A-Za-z]:.*") || List.of(name.split("/")).contains("..")) {
                throw ToolException.badInput("--zip " + path + " has an unsafe entry '" + entry.getName()
                        + "' (absolute or '..' path); refusing to use it");
            }
            name = name.replaceAll("/+", "/").replaceFirst("^(\\./)+", "");
            if (!name.isEmpty()) {
                raw.put(name, entry);
            }
        }
        // A zip re-packed with one top folder (unRAIDServer-6.12.4/bzimage ...) is accepted as if it were flat.
        String prefix = commonTopFolder(raw.keySet());
        Map<String, ZipEntry> files = new LinkedHashMap<>();
        TreeSet<String> directories = new TreeSet<>();
        Map<String, String> lower = new HashMap<>();
        for (Map.Entry<String, ZipEntry> e : raw.entrySet()) {
            String name = e.getKey().substring(prefix.length());
            if (name.isEmpty()) {
                continue;
            }
            boolean dir = e.getValue().isDirectory() || name.endsWith("/");
            name = name.replaceFirst("/$", "");
            for (String part : name.split("/")) {
                for (char c : part.toCharArray()) {
                    if (c < 0x20 || FAT_FORBIDDEN.indexOf(c) >= 0) {
                        throw ToolException.badInput("--zip " + path + ": entry '" + e.getKey() + "' has a character "
                                + "FAT cannot store ('" + (c < 0x20 ? "\\x" + Integer.toHexString(c) : c) + "')");
                    }
                }
            }
            String previous = lower.put(name.toLowerCase(Locale.ROOT), name);
            if (previous != null && !previous.equals(name)) {
                throw ToolException.badInput("--zip " + path + ": entries '" + previous + "' and '" + name
                        + "' differ only in case, which FAT cannot hold apart");
            }
            if (dir) {
                directories.add(name);
            } else {
                files.put(name, e.getValue());
            }
            for (int i = name.indexOf('/'); i > 0; i = name.indexOf('/', i + 1)) {
                directories.add(name.substring(0, i));
            }
        }
        List<String> missing = new ArrayList<>();
        for (String required : REQUIRED) {
            if (find(files, required).isEmpty()) {
                missing.add(required);
            }
        }
        Optional<String> installer = INSTALLERS.stream().map(n -> find(files, n)).flatMap(Optional::stream)
                .findFirst();
        if (installer.isEmpty()) {
            missing.add("syslinux/syslinux_linux");
        }
        if (!missing.isEmpty()) {
            throw ToolException.badInput("--zip " + path + " does not have the unRAID release layout: missing "
                    + String.join(", ", missing) + " (expected an unRAIDServer-<version>-x86_64.zip as published)");
        }
        for (String name : files.keySet()) {
            if (directories.contains(name)) {
                throw ToolException.badInput("--zip " + path + ": '" + name + "' is both a file and a folder");
            }
        }
        byte[] mbr = read(path, zip, files.get(find(files, "syslinux/mbr.bin").get()), 512);
        if (mbr.length < PartitionTable.BOOT_CODE_SIZE) {
            throw ToolException.badInput("--zip " + path + ": syslinux/mbr.bin has " + mbr.length + " bytes; an MBR "
                    + "boot code has 440");
        }
        byte[] elf = readHead(path, zip, files.get(installer.get()), 4);
        if (elf.length < 4 || elf[0] != 0x7f || elf[1] != 'E' || elf[2] != 'L' || elf[3] != 'F') {
            throw ToolException.badInput("--zip " + path + ": " + installer.get() + " is not a Linux program (no ELF "
                    + "header); the zip's own syslinux installer is needed to make the image bootable");
        }
        return new UnraidZip(path, zip, files, directories, installer.get(), mbr);
    }

    private static String commonTopFolder(java.util.Set<String> names) {
        if (names.stream().anyMatch(n -> n.equalsIgnoreCase("bzimage"))) {
            return "";
        }
        String first = names.stream().filter(n -> n.contains("/")).findFirst().orElse(null);
        if (first == null) {
            return "";
        }
        String top = first.substring(0, first.indexOf('/') + 1);
        return names.stream().allMatch(n -> n.startsWith(top) || n.equals(top.substring(0, top.length() - 1)))
                ? top : "";
    }

    private static Optional<String> find(Map<String, ZipEntry> files, String name) {
        return files.keySet().stream().filter(n -> n.equalsIgnoreCase(name)).findFirst();
    }

    private static byte[] read(Path path, ZipFile zip, ZipEntry entry, int max) {
        byte[] bytes = readHead(path, zip, entry, max + 1);
        if (bytes.length > max) {
            throw ToolException.badInput("--zip " + path + ": " + entry.getName() + " is larger than " + max
                    + " bytes");
        }
        return bytes;
    }

    private static byte[] readHead(Path path, ZipFile zip, ZipEntry entry, int max) {
        try (InputStream in = zip.getInputStream(entry)) {
            return in.readNBytes(max);
        } catch (IOException e) {
            throw ToolException.badInput("--zip " + path + ": cannot read " + entry.getName() + ": " + e.getMessage());
        }
    }

    public Path source() {
        return source;
    }

    /** The zip's name for its syslinux installer. */
    public String installer() {
        return installer;
    }

    /** The first 440 bytes of the zip's {@code mbr.bin}. */
    public byte[] mbrBootCode() {
        return java.util.Arrays.copyOf(mbr, PartitionTable.BOOT_CODE_SIZE);
    }

    /** The mbr.bin entry name as in the zip. */
    public String mbrEntry() {
        return find(files, "syslinux/mbr.bin").orElseThrow();
    }

    /** Number of files in the zip. */
    public int fileCount() {
        return files.size();
    }

    public List<String> directories() {
        return List.copyOf(directories);
    }

    /** Sizes of the zip's files (as declared by the zip). */
    public List<Long> fileSizes() {
        return files.values().stream().map(e -> Math.max(0, e.getSize())).toList();
    }

    public long contentBytes() {
        return fileSizes().stream().mapToLong(Long::longValue).sum();
    }

    /** The unRAID version from {@code changes.txt}'s first "Version x.y.z" line, if it has one. */
    public Optional<String> version() {
        Optional<String> changes = find(files, "changes.txt");
        if (changes.isEmpty()) {
            return Optional.empty();
        }
        String head = new String(readHead(source, zip, files.get(changes.get()), 4096), StandardCharsets.UTF_8);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)version\\s+(\\d+\\.\\d+[\\w.\\-]*)")
                .matcher(head);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** Whether the zip keeps its UEFI loader in {@code EFI-} and no {@code EFI} exists, so it gets renamed. */
    public boolean renamesEfi() {
        return directories.stream().anyMatch(d -> d.equalsIgnoreCase("EFI-"))
                && directories.stream().noneMatch(d -> d.equalsIgnoreCase("EFI"));
    }

    /** Whether {@code ldlinux.c32} gets copied to the root (it is not there already). */
    public boolean copiesLdlinux() {
        return find(files, "ldlinux.c32").isEmpty();
    }

    /** The zip's {@code config/network.cfg}, if it has one. */
    public Optional<String> networkConfig() {
        return find(files, NetworkSettings.FILE).map(n -> new String(read(source, zip, files.get(n), 1 << 20),
                StandardCharsets.UTF_8));
    }

    /** The zip's file names (folders left out), in the zip's order. */
    public List<String> names() {
        return List.copyOf(files.keySet());
    }

    /** The zip file that lands at {@code flashPath} on the flash drive (any case), if there is one. */
    public Optional<String> fileAt(String flashPath) {
        return files.keySet().stream().filter(n -> target(n).equalsIgnoreCase(flashPath)).findFirst();
    }

    /** A small text file of the zip (at most 1 MiB), by its name in the zip. */
    public String text(String name) {
        return new String(read(source, zip, files.get(name), 1 << 20), StandardCharsets.UTF_8);
    }

    /** Where a zip path goes on the flash drive. */
    public String target(String name) {
        if (renamesEfi() && (name.regionMatches(true, 0, "EFI-/", 0, 5) || name.equalsIgnoreCase("EFI-"))) {
            return "EFI" + name.substring(4);
        }
        return name;
    }

    /**
     * Writes the flash drive's file tree into the empty directory {@code root}, with the renames, the copy of
     * {@code ldlinux.c32} and {@code network}'s settings (null: the zip's file as is). Stops with an error when the
     * files grow past {@code limit} bytes (a zip that lies about its sizes).
     *
     * @return bytes written
     */
    public long extractTo(Path root, NetworkSettings network, long limit) throws IOException {
        return extractTo(root, network, limit, Set.of(), bytes -> { });
    }

    /**
     * As {@link #extractTo(Path, NetworkSettings, long)}, leaving out the zip files named in {@code skip}, telling
     * {@code copied} of every block of bytes written.
     */
    public long extractTo(Path root, NetworkSettings network, long limit, Set<String> skip, LongConsumer copied)
            throws IOException {
        long written = 0;
        for (String dir : directories) {
            Files.createDirectories(root.resolve(target(dir)));
        }
        for (Map.Entry<String, ZipEntry> e : files.entrySet()) {
            if (skip.contains(e.getKey())) {
                continue;
            }
            Path file = root.resolve(target(e.getKey()));
            Files.createDirectories(file.getParent());
            try (OutputStream out = Files.newOutputStream(file)) {
                written += copy(e.getKey(), out, limit - written, copied);
            }
            if (e.getValue().getLastModifiedTime() != null) {
                Files.setLastModifiedTime(file, e.getValue().getLastModifiedTime());
            }
        }
        if (copiesLdlinux()) {
            String ldlinux = find(files, "syslinux/ldlinux.c32").orElseThrow();
            Path copy = root.resolve("ldlinux.c32");
            try (OutputStream out = Files.newOutputStream(copy)) {
                written += copy(ldlinux, out, limit - written, copied);
            }
            if (files.get(ldlinux).getLastModifiedTime() != null) {
                Files.setLastModifiedTime(copy, files.get(ldlinux).getLastModifiedTime());
            }
        }
        if (network != null) {
            Path cfg = root.resolve(find(files, NetworkSettings.FILE).orElse(NetworkSettings.FILE));
            Files.createDirectories(cfg.getParent());
            byte[] text = network.render(networkConfig().orElse(null)).getBytes(StandardCharsets.UTF_8);
            Files.write(cfg, text);
            written += text.length;
            copied.accept(text.length);
        }
        return written;
    }

    /**
     * The zip's files of at least {@code threshold} bytes that go to the flash drive unchanged: the image builder
     * streams them straight from the zip into the image instead of unpacking them first.
     */
    public List<String> largeFiles(long threshold, NetworkSettings network) {
        return files.entrySet().stream()
                .filter(e -> e.getValue().getSize() >= threshold)
                .map(Map.Entry::getKey)
                .filter(name -> !(network != null && name.equalsIgnoreCase(NetworkSettings.FILE)))
                .filter(name -> !name.equalsIgnoreCase("syslinux/ldlinux.c32"))
                .toList();
    }

    /** Last-modified time of a zip file, if the zip has one. */
    public Optional<FileTime> modified(String name) {
        return Optional.ofNullable(files.get(name).getLastModifiedTime());
    }

    /** Copies the zip file {@code name} to {@code out}; an error past {@code limit} bytes. */
    public long copy(String name, OutputStream out, long limit) throws IOException {
        return copy(name, out, limit, bytes -> { });
    }

    /** As {@link #copy(String, OutputStream, long)}, telling {@code copied} of every block of bytes written. */
    public long copy(String name, OutputStream out, long limit, LongConsumer copied) throws IOException {
        long written = 0;
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = zip.getInputStream(files.get(name))) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                written += n;
                if (written > limit) {
                    throw ToolException.badInput("--zip " + source + " unpacks to more than the image holds; use a "
                            + "larger --size");
                }
                out.write(buffer, 0, n);
                copied.accept(n);
            }
        }
        return written;
    }

    /** Declared size of a zip file. */
    public long size(String name) {
        return Math.max(0, files.get(name).getSize());
    }

    /** Copies the zip's syslinux installer to {@code file} and makes it executable by its owner. */
    public void extractInstaller(Path file) throws IOException {
        try (InputStream in = zip.getInputStream(files.get(installer))) {
            Files.copy(in, file);
        }
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    }

    @Override
    public void close() {
        IOUtils.closeQuietly(zip); // read-only: nothing to lose
    }
}
