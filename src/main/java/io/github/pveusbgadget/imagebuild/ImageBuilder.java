package io.github.pveusbgadget.imagebuild;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.host.CommandResult;
import io.github.pveusbgadget.host.CommandRunner;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Builds a bootable unRAID flash image without root, mounts or loop devices: a sparse file, an MBR partition table
 * written here, {@code mkfs.fat --offset}, the files copied in with {@code mcopy}, the zip's own syslinux installer
 * run on the image at the partition's offset, and the zip's {@code mbr.bin} as boot code. Everything happens on a
 * hidden temporary file next to the output, renamed into place only when complete; a failure leaves nothing.
 */
public final class ImageBuilder {
    /** The smallest image: unRAID asks for a flash drive of at least 512 MB. */
    public static final long MIN_SIZE = 512 * ByteSize.MIB;
    /** Space the image must keep free after the files: unRAID writes its config and logs to the flash. */
    static final long SLACK = 16 * ByteSize.MIB;
    /** Where mkfs.fat puts the FAT32 backup boot sector (its default, given explicitly). */
    static final int BACKUP_BOOT_SECTOR = 6;
    /**
     * mtools refuses some geometries mkfs.fat writes (sector count not a multiple of the track size) unless told to
     * skip that check; the installer of the zip runs mtools too.
     */
    static final String MTOOLS_ENV = "MTOOLS_SKIP_CHECK=1";
    /** Zip files from this size on are streamed into the image instead of being unpacked first. */
    static final long STREAM_THRESHOLD = ByteSize.MIB;
    private static final Duration TOOL_TIMEOUT = Duration.ofMinutes(2);

    private final CommandRunner runner;
    private final PrintWriter log;
    private final Path tempRoot;

    /** @param tmpdir the {@code TMPDIR} of the process, if set: where the small files are unpacked */
    public ImageBuilder(CommandRunner runner, PrintWriter log, Optional<String> tmpdir) {
        this.runner = runner;
        this.tempRoot = tempRoot(tmpdir);
        this.log = log;
    }

    /** Checks the request against the zip and the host; nothing is written. Exit 2/1 with the fix otherwise. */
    public void check(ImageRequest request, UnraidZip zip, boolean forRealRun) {
        Path output = request.output();
        Path dir = output.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            throw ToolException.badInput("--output " + output + ": directory " + dir + " does not exist");
        }
        if (Files.exists(output, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isRegularFile(output, LinkOption.NOFOLLOW_LINKS)) {
                throw ToolException.refused("--output " + output + " exists and is not a regular file; image create "
                        + "only writes image files (write a finished image to a device with dd yourself)");
            }
            if (!request.force()) {
                throw ToolException.refused("--output " + output + " already exists; choose another path, or replace "
                        + "it with --force");
            }
        }
        long size = request.size();
        if (size < MIN_SIZE) {
            throw ToolException.badInput("--size " + ByteSize.format(size) + " is too small: unRAID needs at least "
                    + "512M");
        }
        if (size % ByteSize.MIB != 0) {
            throw ToolException.badInput("--size " + size + " bytes is not a whole number of MiB; use e.g. 2G or "
                    + "1536M");
        }
        if (size > PartitionTable.MAX_IMAGE_BYTES) {
            throw ToolException.badInput("--size " + ByteSize.format(size) + " is more than an MBR partition table "
                    + "describes (2 TiB)");
        }
        FatGeometry geometry = FatGeometry.of(size);
        List<Long> files = flashFiles(zip);
        if (!geometry.fits(files, zip.directories().size(), SLACK)) {
            long needed = geometry.bytesFor(files, zip.directories().size()) + SLACK + size - geometry.dataBytes();
            throw ToolException.badInput("--size " + ByteSize.format(size) + " is too small for the "
                    + ByteSize.format(zip.contentBytes()) + " in " + zip.source().getFileName() + ": use at least "
                    + "--size " + ((needed + ByteSize.MIB - 1) / ByteSize.MIB) + "M");
        }
        SyslinuxLabel.check(zip, request.label());
        if (!forRealRun) {
            return;
        }
        long needed = geometry.bytesFor(files, zip.directories().size()) + 2 * geometry.fatBytes() + 2 * ByteSize.MIB;
        requireSpace(dir, needed, "--output directory");
        requireSpace(tempRoot, zip.contentBytes() - zip.largeFiles(STREAM_THRESHOLD, request.network()).stream()
                .mapToLong(zip::size).sum() + ByteSize.MIB, "temporary directory (TMPDIR)");
        for (String tool : List.of("mkfifo", "touch")) {
            if (!runner.isAvailable(tool)) {
                throw ToolException.refused(tool + " not found: install coreutils");
            }
        }
        for (String tool : List.of("mcopy", "mattrib", "mmd")) {
            if (!runner.isAvailable(tool)) {
                throw ToolException.refused(tool + " not found: install mtools (apt install mtools)");
            }
        }
        mkfs();
    }

    /** Sizes of the files on the flash drive: the zip's, ldlinux.c32 copied to the root and ldlinux.sys. */
    static List<Long> flashFiles(UnraidZip zip) {
        List<Long> files = new ArrayList<>(zip.fileSizes());
        files.add(128 * ByteSize.KIB);
        files.add(64 * ByteSize.KIB);
        return files;
    }

    private static void requireSpace(Path dir, long needed, String what) {
        long free;
        try {
            free = Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            return;
        }
        if (free < needed) {
            throw ToolException.refused("not enough free space in the " + what + " " + dir + ": "
                    + ByteSize.format(needed) + " needed, " + ByteSize.format(free) + " free; free some space or "
                    + "choose another place");
        }
    }

    private String mkfs() {
        for (String name : List.of("mkfs.fat", "mkfs.vfat")) {
            if (runner.isAvailable(name)) {
                return name;
            }
        }
        for (String path : List.of("/usr/sbin/mkfs.fat", "/sbin/mkfs.fat")) {
            if (Files.isExecutable(Path.of(path))) {
                return path;
            }
        }
        throw ToolException.refused("mkfs.fat not found: install dosfstools (apt install dosfstools)");
    }

    /**
     * The exact steps as a runnable shell script ({@code --dry-run}). {@code zip} is null when the zip is not
     * downloaded yet: the steps that depend on its content then test for it in the script.
     */
    public String script(ImageRequest request, Path zipPath, UnraidZip zip, List<String> before) {
        Path output = request.output().toAbsolutePath();
        String img = ShellText.quote(partialName(output).toString());
        long size = request.size();
        FatGeometry geometry = FatGeometry.of(size);
        byte[] tail = PartitionTable.tail(size, request.volumeId());
        StringBuilder s = new StringBuilder();
        s.append("#!/bin/sh\n# pve-usb-gadget image create (dry run): the steps it would take\nset -eu\n");
        before.forEach(line -> s.append(line).append('\n'));
        s.append("export ").append(MTOOLS_ENV).append('\n');
        s.append("work=$(mktemp -d)\ntrap 'rm -rf \"$work\" ").append(img.replace("'", "'\\''"))
                .append("' EXIT\n");
        s.append("rm -f ").append(img).append('\n');
        s.append("# sparse image with an MBR: one bootable FAT32-LBA (0x0c) partition from sector ")
                .append(PartitionTable.START_LBA).append('\n');
        s.append("truncate -s ").append(size).append(' ').append(img).append('\n');
        s.append("printf '");
        for (byte b : tail) {
            s.append(String.format(Locale.ROOT, "\\%03o", b & 0xff));
        }
        s.append("' | dd of=").append(img).append(" bs=1 seek=").append(PartitionTable.BOOT_CODE_SIZE)
                .append(" conv=notrunc status=none\n");
        s.append(ShellText.command(mkfsCommand("mkfs.fat", partialName(output).toString(), request, geometry)))
                .append('\n');
        s.append("unzip -q ").append(ShellText.quote(zipPath.toAbsolutePath())).append(" -d \"$work/files\"\n");
        s.append(BootChecksums.shellStep("\"$work/files\"")).append('\n');
        String f = "\"$work/files/";
        if (zip == null) {
            s.append("[ -d ").append(f).append("EFI-\" ] && [ ! -e ").append(f).append("EFI\" ] && mv ").append(f)
                    .append("EFI-\" ").append(f).append("EFI\"\n");
            s.append("[ -e ").append(f).append("ldlinux.c32\" ] || cp ").append(f).append("syslinux/ldlinux.c32\" ")
                    .append(f).append("ldlinux.c32\"\n");
        } else {
            if (zip.renamesEfi()) {
                s.append("mv ").append(f).append("EFI-\" ").append(f).append("EFI\"\n");
            }
            if (zip.copiesLdlinux()) {
                s.append("cp ").append(f).append("syslinux/ldlinux.c32\" ").append(f).append("ldlinux.c32\"\n");
            }
        }
        if (SyslinuxLabel.needed(request.label())) {
            s.append(SyslinuxLabel.shellStep("$work/files/", request.label())).append('\n');
        }
        if (request.network() != null) {
            String existing = zip == null ? null : zip.networkConfig().orElse(null);
            if (zip == null) {
                s.append("# (the zip's own config/network.cfg, if any, is kept with these keys set)\n");
            }
            s.append("mkdir -p ").append(f).append("config\"\ncat > ").append(f).append(NetworkSettings.FILE)
                    .append("\" <<'EOF'\n").append(request.network().render(existing).replace("\r", ""))
                    .append("EOF\n");
        }
        s.append("mcopy -s -Q -m -i ").append(img).append("@@").append(PartitionTable.START_BYTES)
                .append(' ').append(f).append("\"* ::/\n");
        if (zip == null) {
            s.append("installer=").append(f).append("syslinux/syslinux_linux\"\n[ -f \"$installer\" ] || installer=")
                    .append(f).append("syslinux/syslinux\"\ncp \"$installer\" \"$work/installer\"\n");
        } else {
            s.append("cp ").append(f).append(zip.target(zip.installer())).append("\" \"$work/installer\"\n");
        }
        s.append("chmod 700 \"$work/installer\"\n");
        s.append("\"$work/installer\" -i -f -t ").append(PartitionTable.START_BYTES).append(' ').append(img)
                .append('\n');
        s.append("# the installer rewrites the FAT32 boot sector; its backup (sector ").append(BACKUP_BOOT_SECTOR)
                .append(") gets the same bytes\n");
        s.append("dd if=").append(img).append(" of=").append(img).append(" bs=512 skip=")
                .append(PartitionTable.START_LBA).append(" seek=").append(PartitionTable.START_LBA + BACKUP_BOOT_SECTOR)
                .append(" count=1 conv=notrunc status=none\n");
        s.append("dd if=").append(f).append(zip == null ? "syslinux/mbr.bin" : zip.target(zip.mbrEntry()))
                .append("\" of=").append(img).append(" bs=").append(PartitionTable.BOOT_CODE_SIZE)
                .append(" count=1 conv=notrunc status=none\n");
        s.append("sync ").append(img).append('\n');
        s.append("mv -f ").append(img).append(' ').append(ShellText.quote(output)).append('\n');
        return s.toString();
    }

    private static List<String> mkfsCommand(String mkfs, String image, ImageRequest request, FatGeometry geometry) {
        return List.of(mkfs, "-F", "32", "-n", request.label(), "-i",
                String.format(Locale.ROOT, "%08X", request.volumeId()), "-s",
                String.valueOf(geometry.sectorsPerCluster()), "-h", String.valueOf(PartitionTable.START_LBA),
                "-b", String.valueOf(BACKUP_BOOT_SECTOR),
                "--offset=" + PartitionTable.START_LBA, image,
                String.valueOf(PartitionTable.partitionSectors(request.size()) / 2));
    }

    /** Builds the image; on any failure the partial file and the temporary files are removed. */
    public void build(ImageRequest request, UnraidZip zip) {
        long started = System.nanoTime();
        Path output = request.output().toAbsolutePath();
        Path partial = partialName(output);
        FatGeometry geometry = FatGeometry.of(request.size());
        String mkfs = mkfs();
        Path work = null;
        Thread cleanup = new Thread(() -> deleteQuietly(partial));
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            work = Files.createTempDirectory(tempRoot, "pve-usb-gadget-image-");
            log.println("creating " + output + ": " + ByteSize.format(request.size()) + " sparse file, MBR with a "
                    + "bootable FAT32-LBA partition at 1 MiB");
            Files.deleteIfExists(partial);
            try (RandomAccessFile file = new RandomAccessFile(partial.toFile(), "rw")) {
                file.setLength(request.size());
                file.seek(PartitionTable.BOOT_CODE_SIZE);
                file.write(PartitionTable.tail(request.size(), request.volumeId()));
            }
            run("mkfs.fat", mkfsCommand(mkfs, partial.toString(), request, geometry), TOOL_TIMEOUT);
            log.println("formatted FAT32 '" + request.label() + "', " + ByteSize.format(geometry.clusterBytes())
                    + " clusters");

            Path files = work.resolve("files");
            Files.createDirectories(files);
            List<String> large = zip.largeFiles(STREAM_THRESHOLD, request.network());
            long bytes = zip.extractTo(files, request.network(), geometry.dataBytes(), Set.copyOf(large));
            List<String> labelled = SyslinuxLabel.writeInto(files, zip, request.label());
            List<String> copy = new ArrayList<>(List.of("env", MTOOLS_ENV, "mcopy", "-s", "-Q", "-m", "-i",
                    image(partial)));
            try (DirectoryStream<Path> top = Files.newDirectoryStream(files)) {
                List<String> names = new ArrayList<>();
                top.forEach(p -> names.add(p.toString()));
                names.sort(null);
                copy.addAll(names);
            }
            copy.add("::/");
            run("mcopy", copy, Duration.ofMinutes(2).plusSeconds(bytes / (20 * ByteSize.MIB)));
            Path pipes = Files.createDirectory(work.resolve("pipes"));
            for (int i = 0; i < large.size(); i++) {
                bytes += stream(zip, large.get(i), pipes.resolve("pipe" + i), partial);
            }
            log.println("copied " + zip.fileCount() + " files (" + ByteSize.format(bytes) + ")"
                    + (zip.renamesEfi() ? ", EFI- renamed EFI" : "")
                    + (zip.copiesLdlinux() ? ", ldlinux.c32 copied to the root" : "")
                    + (request.network() != null ? ", " + NetworkSettings.FILE + " " + describe(request.network())
                    : "") + (labelled.isEmpty() ? "" : ", unraidlabel=" + request.label() + " added to "
                    + String.join(" and ", labelled) + " (unRAID looks for " + VolumeLabel.UNRAID + " otherwise)"));

            Path installer = work.resolve("syslinux-installer");
            zip.extractInstaller(installer);
            run("the zip's " + zip.installer(), List.of("env", MTOOLS_ENV, installer.toString(), "-i", "-f", "-t",
                    String.valueOf(PartitionTable.START_BYTES), partial.toString()), TOOL_TIMEOUT);
            log.println("installed the zip's syslinux (" + zip.installer() + ") into the partition's boot sector");

            try (RandomAccessFile file = new RandomAccessFile(partial.toFile(), "rw")) {
                file.seek(0);
                file.write(zip.mbrBootCode());
                byte[] sector0 = new byte[PartitionTable.SECTOR];
                file.seek(0);
                file.readFully(sector0);
                byte[] expected = PartitionTable.tail(request.size(), request.volumeId());
                if (!Arrays.equals(Arrays.copyOfRange(sector0, PartitionTable.BOOT_CODE_SIZE, PartitionTable.SECTOR),
                        expected)) {
                    throw ToolException.failed("the partition table of " + partial + " was changed by a tool; the "
                            + "image is not usable (run with -v for the commands)", null);
                }
                byte[] boot = new byte[PartitionTable.SECTOR];
                file.seek(PartitionTable.START_BYTES);
                file.readFully(boot);
                if ((boot[510] & 0xff) != 0x55 || (boot[511] & 0xff) != 0xaa) {
                    throw ToolException.failed("the FAT32 boot sector of " + partial + " has no boot signature "
                            + "after the syslinux installer ran", null);
                }
                syncBackupBootSector(file, boot);
                file.getChannel().force(true);
            }
            log.println("wrote the zip's mbr.bin into the first 440 bytes; partition table intact");
            Files.move(partial, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            long allocated = allocatedBytes(output);
            log.println(String.format(Locale.ROOT, "done: %s (%s, %s allocated) in %.1f s", output,
                    ByteSize.format(request.size()), allocated < 0 ? "?" : ByteSize.format(allocated),
                    (System.nanoTime() - started) / 1e9));
        } catch (IOException e) {
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            if (why.toLowerCase(Locale.ROOT).contains("no space")) {
                throw ToolException.refused("no space left while writing " + output + " (" + why + "); free some "
                        + "space and run again; nothing was left behind");
            }
            throw ToolException.failed("cannot create " + output + ": " + why + "; nothing was left behind", e);
        } finally {
            deleteQuietly(partial);
            if (work != null) {
                deleteTree(work);
            }
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException e) {
                // Shutting down already: the hook removes the partial file.
            }
        }
    }

    private static String image(Path partial) {
        return partial + "@@" + PartitionTable.START_BYTES;
    }

    /**
     * Copies one large zip file into the image without unpacking it first: {@code mcopy} reads it from a named
     * pipe that a thread fills straight from the zip. If mcopy stops early, the pipe is opened and closed here so
     * that the writing thread never stays blocked.
     *
     * @return bytes copied
     */
    private long stream(UnraidZip zip, String name, Path pipe, Path partial) throws IOException {
        run("mkfifo", List.of("mkfifo", "-m", "600", pipe.toString()), TOOL_TIMEOUT);
        // mcopy -m gives the file the pipe's time stamp. Java would open the pipe to set it (and block): touch -c
        // sets it by path. Cosmetic, so a failure is ignored.
        zip.modified(name).ifPresent(time -> runner.run(List.of("touch", "-c", "-m", "-d", "@" + time.toMillis() / 1000,
                pipe.toString()), Duration.ofSeconds(10)));
        long[] copied = {-1};
        IOException[] failure = new IOException[1];
        RuntimeException[] error = new RuntimeException[1];
        Thread writer = new Thread(() -> {
            try (OutputStream out = Files.newOutputStream(pipe)) {
                copied[0] = zip.copy(name, out, Long.MAX_VALUE);
            } catch (IOException e) {
                failure[0] = e;
            } catch (RuntimeException e) {
                error[0] = e;
            }
        }, "zip-to-mcopy");
        writer.setDaemon(true);
        writer.start();
        String target = "::/" + zip.target(name);
        Duration timeout = Duration.ofMinutes(2).plusSeconds(zip.size(name) / (10 * ByteSize.MIB));
        CommandResult result = runner.run(List.of("env", MTOOLS_ENV, "mcopy", "-Q", "-m", "-o", "-i",
                image(partial), pipe.toString(), target), timeout);
        if (writer.isAlive() && !result.succeeded()) {
            try (InputStream unblock = Files.newInputStream(pipe)) {
                unblock.available();
            } catch (IOException e) {
                // Only here to release the writer.
            }
        }
        try {
            writer.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        require("mcopy of " + name, result, timeout);
        if (error[0] != null) {
            throw error[0];
        }
        if (failure[0] != null || copied[0] != zip.size(name)) {
            throw new IOException("copying " + name + " into the image stopped after " + Math.max(0, copied[0])
                    + " of " + zip.size(name) + " bytes" + (failure[0] == null ? "" : ": " + failure[0].getMessage()));
        }
        return copied[0];
    }

    /**
     * The syslinux installer rewrites the FAT32 boot sector but not its backup copy, which {@code fsck.fat} then
     * reports; the backup gets the same bytes, as a formatter that writes boot code does.
     */
    private static void syncBackupBootSector(RandomAccessFile file, byte[] boot) throws IOException {
        int reserved = (boot[0x0e] & 0xff) | (boot[0x0f] & 0xff) << 8;
        int backup = (boot[0x32] & 0xff) | (boot[0x33] & 0xff) << 8;
        if (backup > 0 && backup < reserved) {
            file.seek(PartitionTable.START_BYTES + (long) backup * PartitionTable.SECTOR);
            file.write(boot);
        }
    }

    private void run(String what, List<String> command, Duration timeout) {
        require(what, runner.run(command, timeout), timeout);
    }

    private static void require(String what, CommandResult result, Duration timeout) {
        if (!result.succeeded()) {
            String why = result.timedOut() ? "timed out after " + timeout.toSeconds() + " s" : "failed ("
                    + (result.exitCode() < 0 ? "could not run" : "exit " + result.exitCode()) + "): "
                    + result.lastLine();
            String hint = why.toLowerCase(Locale.ROOT).contains("no space") || why.toLowerCase(Locale.ROOT)
                    .contains("disk full") ? "; free some space and run again" : "";
            if (what.startsWith("the zip's") && (result.exitCode() == 126 || result.exitCode() == 127)) {
                hint = "; if TMPDIR is mounted noexec, set TMPDIR to another directory; a 32-bit installer needs "
                        + "libc6-i386";
            }
            throw ToolException.failed(what + " " + why + hint + "; nothing was left behind", null);
        }
    }

    private static String describe(NetworkSettings network) {
        var v = network.values();
        return "yes".equals(v.get("USE_DHCP")) ? "set to DHCP" : "set to " + v.get("IPADDR") + "/"
                + v.get("NETMASK") + " via " + v.get("GATEWAY");
    }

    static Path partialName(Path output) {
        return output.resolveSibling("." + output.getFileName() + ".partial");
    }

    /** Where the small files are unpacked: {@code $TMPDIR} as for any Unix tool, else Java's temporary directory. */
    static Path tempRoot(Optional<String> tmpdir) {
        return tmpdir.map(Path::of).filter(Files::isDirectory)
                .orElseGet(() -> Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** Bytes the file occupies on disk ({@code stat}'s blocks x 512), or -1 where that cannot be told. */
    long allocatedBytes(Path file) {
        CommandResult result = runner.run(List.of("stat", "-c", "%b %B", file.toString()), Duration.ofSeconds(10));
        String[] parts = result.output().strip().split("\\s+");
        if (!result.succeeded() || parts.length != 2 || !parts[0].matches("\\d+") || !parts[1].matches("\\d+")) {
            return -1;
        }
        return Long.parseLong(parts[0]) * Long.parseLong(parts[1]);
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // Best effort.
        }
    }

    private static void deleteTree(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // Best effort: it is in the temporary directory.
        }
    }
}
