package io.github.pveusbgadget.imagebuild;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.host.CommandResult;
import io.github.pveusbgadget.plan.Shell;
import io.github.pveusbgadget.plan.Step;
import io.github.pveusbgadget.progress.Progress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The steps of {@code image create}, each printed for {@code --dry-run} as the shell commands that do the same and
 * applied with Java and the same tools. The script works in {@code $work} (the apply in {@link ImageWork#dir()}).
 */
final class ImageSteps {
    static final Duration TOOL_TIMEOUT = Duration.ofMinutes(2);
    private static final String FILES = "\"$work/files/";

    private ImageSteps() {
    }

    /** A step of the build of the image file {@link #partial()} (renamed to the output at the end). */
    interface ImageStep extends Step<ImageWork> {
        Path partial();

        /** What every step's script lines need first: the mtools setting and the temporary directory. */
        @Override
        default List<String> shellPrelude() {
            return prelude(partial());
        }
    }

    private static List<String> prelude(Path partial) {
        String img = Shell.quote(partial);
        return List.of("export " + ImageBuilder.MTOOLS_ENV, "work=$(mktemp -d)",
                "trap 'rm -rf \"$work\" " + img.replace("'", "'\\''") + "' EXIT");
    }

    /** The sparse image file with the MBR partition table (and no boot code yet). */
    record CreateImageFile(Path partial, Path output, long size, int volumeId) implements ImageStep {
        @Override
        public String describe() {
            return "create the sparse " + ByteSize.format(size) + " image " + partial + " with its partition table";
        }

        @Override
        public List<String> shell() {
            String img = Shell.quote(partial);
            StringBuilder tail = new StringBuilder("printf '");
            for (byte b : PartitionTable.tail(size, volumeId)) {
                tail.append(String.format(Locale.ROOT, "\\%03o", b & 0xff));
            }
            tail.append("' | dd of=").append(img).append(" bs=1 seek=").append(PartitionTable.BOOT_CODE_SIZE)
                    .append(" conv=notrunc status=none");
            return List.of("rm -f " + img,
                    "# sparse image with an MBR: one bootable FAT32-LBA (0x0c) partition from sector "
                            + PartitionTable.START_LBA,
                    "truncate -s " + size + " " + img, tail.toString());
        }

        @Override
        public void apply(ImageWork work) throws IOException {
            work.log().println("creating " + output + ": " + ByteSize.format(size) + " sparse file, MBR with a "
                    + "bootable FAT32-LBA partition at 1 MiB");
            Files.deleteIfExists(partial);
            try (FileChannel file = FileChannel.open(partial, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                file.write(ByteBuffer.wrap(PartitionTable.tail(size, volumeId)), PartitionTable.BOOT_CODE_SIZE);
                // The last byte gives the file its size; nothing between is written, so the file stays sparse.
                file.write(ByteBuffer.wrap(new byte[1]), size - 1);
            }
        }
    }

    /** {@code mkfs.fat} on the partition, at its offset in the image. */
    record Format(List<String> command, Path partial, String label, long clusterBytes) implements ImageStep {
        @Override
        public String describe() {
            return "format the partition FAT32 '" + label + "'";
        }

        @Override
        public List<String> shell() {
            return List.of(Shell.join(command));
        }

        @Override
        public void apply(ImageWork work) {
            try (Progress.Meter meter = work.progress().start("formatting FAT32", Progress.UNKNOWN)) {
                run(work, "mkfs.fat", command, TOOL_TIMEOUT);
            }
            work.log().println("formatted FAT32 '" + label + "', " + ByteSize.format(clusterBytes) + " clusters");
        }
    }

    /**
     * The zip's files into the file system, EFI- renamed EFI, ldlinux.c32 copied to the root, network.cfg written.
     * The apply streams the large files from the zip through a pipe; {@code zip} null (not downloaded yet: a
     * dry run) makes the script test the zip's content itself.
     */
    record CopyFiles(UnraidZip zip, Path zipPath, Path partial, NetworkSettings network, String label,
                     long dataBytes)
            implements ImageStep {
        @Override
        public String describe() {
            return "copy the files of " + zipPath.getFileName() + " into the image";
        }

        @Override
        public List<String> shell() {
            String f = FILES;
            List<String> s = new ArrayList<>();
            s.add("unzip -q " + Shell.quote(zipPath.toAbsolutePath()) + " -d \"$work/files\"");
            s.add(BootChecksums.shellStep("\"$work/files\""));
            if (zip == null) {
                s.add("[ -d " + f + "EFI-\" ] && [ ! -e " + f + "EFI\" ] && mv " + f + "EFI-\" " + f + "EFI\"");
                s.add("[ -e " + f + "ldlinux.c32\" ] || cp " + f + "syslinux/ldlinux.c32\" " + f + "ldlinux.c32\"");
            } else {
                if (zip.renamesEfi()) {
                    s.add("mv " + f + "EFI-\" " + f + "EFI\"");
                }
                if (zip.copiesLdlinux()) {
                    s.add("cp " + f + "syslinux/ldlinux.c32\" " + f + "ldlinux.c32\"");
                }
            }
            if (SyslinuxLabel.needed(label)) {
                s.add(SyslinuxLabel.shellStep("$work/files/", label));
            }
            if (network != null) {
                String existing = zip == null ? null : zip.networkConfig().orElse(null);
                if (zip == null) {
                    s.add("# (the zip's own config/network.cfg, if any, is kept with these keys set)");
                }
                s.add("mkdir -p " + f + "config\"");
                s.add(Shell.printExactly(network.render(existing)) + " > " + f + NetworkSettings.FILE + "\"");
            }
            s.add("mcopy -s -Q -m -i " + Shell.quote(partial) + "@@" + PartitionTable.START_BYTES + " " + f
                    + "\"* ::/");
            return s;
        }

        @Override
        public void apply(ImageWork work) throws IOException {
            Path files = work.dir().resolve("files");
            Files.createDirectories(files);
            List<String> large = zip.largeFiles(ImageBuilder.STREAM_THRESHOLD, network);
            long total = zip.contentBytes() + (zip.copiesLdlinux()
                    ? zip.fileAt("syslinux/ldlinux.c32").map(zip::size).orElse(0L) : 0);
            long bytes;
            List<String> labelled;
            try (Progress.Meter meter = work.progress().start("copying files", total)) {
                bytes = zip.extractTo(files, network, dataBytes, Set.copyOf(large), meter::advance);
                labelled = SyslinuxLabel.writeInto(files, zip, label);
                List<String> copy = new ArrayList<>(List.of("env", ImageBuilder.MTOOLS_ENV, "mcopy", "-s", "-Q",
                        "-m", "-i", image(partial)));
                try (DirectoryStream<Path> top = Files.newDirectoryStream(files)) {
                    List<String> names = new ArrayList<>();
                    top.forEach(p -> names.add(p.toString()));
                    names.sort(null);
                    copy.addAll(names);
                }
                copy.add("::/");
                run(work, "mcopy", copy, Duration.ofMinutes(2).plusSeconds(bytes / (20 * ByteSize.MIB)));
                Path pipes = Files.createDirectory(work.dir().resolve("pipes"));
                for (int i = 0; i < large.size(); i++) {
                    bytes += stream(work, zip, large.get(i), pipes.resolve("pipe" + i), partial, meter);
                }
            }
            work.log().println("copied " + zip.fileCount() + " files (" + ByteSize.format(bytes) + ")"
                    + (zip.renamesEfi() ? ", EFI- renamed EFI" : "")
                    + (zip.copiesLdlinux() ? ", ldlinux.c32 copied to the root" : "")
                    + (network != null ? ", " + NetworkSettings.FILE + " " + describeNetwork(network) : "")
                    + (labelled.isEmpty() ? "" : ", unraidlabel=" + label + " added to " + String.join(" and ", labelled)
                    + " (unRAID looks for " + VolumeLabel.UNRAID + " otherwise)"));
        }
    }

    /** The zip's own syslinux installer, run on the image at the partition's offset. */
    record InstallSyslinux(UnraidZip zip, Path partial) implements ImageStep {
        @Override
        public String describe() {
            return "install syslinux into the partition's boot sector";
        }

        @Override
        public List<String> shell() {
            String f = FILES;
            List<String> s = new ArrayList<>();
            if (zip == null) {
                s.add("installer=" + f + "syslinux/syslinux_linux\"");
                s.add("[ -f \"$installer\" ] || installer=" + f + "syslinux/syslinux\"");
                s.add("cp \"$installer\" \"$work/installer\"");
            } else {
                s.add("cp " + f + zip.target(zip.installer()) + "\" \"$work/installer\"");
            }
            s.add("chmod 700 \"$work/installer\"");
            s.add("\"$work/installer\" -i -f -t " + PartitionTable.START_BYTES + " " + Shell.quote(partial));
            return s;
        }

        @Override
        public void apply(ImageWork work) throws IOException {
            Path installer = work.dir().resolve("syslinux-installer");
            zip.extractInstaller(installer);
            try (Progress.Meter meter = work.progress().start("installing syslinux", Progress.UNKNOWN)) {
                run(work, "the zip's " + zip.installer(), List.of("env", ImageBuilder.MTOOLS_ENV,
                        installer.toString(), "-i", "-f", "-t", String.valueOf(PartitionTable.START_BYTES),
                        partial.toString()), TOOL_TIMEOUT);
            }
            work.log().println("installed the zip's syslinux (" + zip.installer() + ") into the partition's boot "
                    + "sector");
        }
    }

    /**
     * The zip's {@code mbr.bin} as boot code, the FAT32 backup boot sector made equal to the one the installer
     * wrote, and a check that no tool changed the partition table.
     */
    record WriteBootCode(UnraidZip zip, Path partial, long size, int volumeId) implements ImageStep {
        @Override
        public String describe() {
            return "write the boot code of mbr.bin";
        }

        @Override
        public List<String> shell() {
            String img = Shell.quote(partial);
            return List.of("# the installer rewrites the FAT32 boot sector; its backup (sector "
                            + ImageBuilder.BACKUP_BOOT_SECTOR + ") gets the same bytes",
                    "dd if=" + img + " of=" + img + " bs=512 skip=" + PartitionTable.START_LBA + " seek="
                            + (PartitionTable.START_LBA + ImageBuilder.BACKUP_BOOT_SECTOR)
                            + " count=1 conv=notrunc status=none",
                    "dd if=" + FILES + (zip == null ? "syslinux/mbr.bin" : zip.target(zip.mbrEntry())) + "\" of="
                            + img + " bs=" + PartitionTable.BOOT_CODE_SIZE + " count=1 conv=notrunc status=none");
        }

        @Override
        public void apply(ImageWork work) throws IOException {
            try (FileChannel file = FileChannel.open(partial, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                file.write(ByteBuffer.wrap(zip.mbrBootCode()), 0);
                byte[] sector0 = read(file, 0);
                byte[] expected = PartitionTable.tail(size, volumeId);
                if (!Arrays.equals(Arrays.copyOfRange(sector0, PartitionTable.BOOT_CODE_SIZE, PartitionTable.SECTOR),
                        expected)) {
                    throw ToolException.failed("the partition table of " + partial + " was changed by a tool; the "
                            + "image is not usable (run with -v for the commands)", null);
                }
                byte[] boot = read(file, PartitionTable.START_BYTES);
                if ((boot[510] & 0xff) != 0x55 || (boot[511] & 0xff) != 0xaa) {
                    throw ToolException.failed("the FAT32 boot sector of " + partial + " has no boot signature "
                            + "after the syslinux installer ran", null);
                }
                syncBackupBootSector(file, boot);
                try (Progress.Meter meter = work.progress().start("flushing the image to disk", Progress.UNKNOWN)) {
                    file.force(true);
                }
            }
            work.log().println("wrote the zip's mbr.bin into the first 440 bytes; partition table intact");
        }
    }

    /** The finished image renamed into place, in one step: the output is either the old file or complete. */
    record MoveIntoPlace(Path partial, Path output) implements ImageStep {
        @Override
        public String describe() {
            return "move " + partial + " to " + output;
        }

        @Override
        public List<String> shell() {
            return List.of("sync # flush " + partial + " to stable storage", "mv -f " + Shell.quote(partial) + " "
                    + Shell.quote(output));
        }

        @Override
        public void apply(ImageWork work) throws IOException {
            Files.move(partial, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    static String image(Path partial) {
        return partial + "@@" + PartitionTable.START_BYTES;
    }

    /**
     * Copies one large zip file into the image without unpacking it first: {@code mcopy} reads it from a named
     * pipe that a thread fills straight from the zip. If mcopy stops early, the pipe is opened and closed here so
     * that the writing thread never stays blocked.
     *
     * @return bytes copied
     */
    private static long stream(ImageWork work, UnraidZip zip, String name, Path pipe, Path partial,
                               Progress.Meter meter) throws IOException {
        run(work, "mkfifo", List.of("mkfifo", "-m", "600", pipe.toString()), TOOL_TIMEOUT);
        // mcopy -m gives the file the pipe's time stamp. Java would open the pipe to set it (and block): touch -c
        // sets it by path. Cosmetic, so a failure is ignored.
        zip.modified(name).ifPresent(time -> work.runner().run(List.of("touch", "-c", "-m", "-d", "@" + time.toMillis() / 1000,
                pipe.toString()), Duration.ofSeconds(10)));
        long[] copied = {-1};
        IOException[] failure = new IOException[1];
        RuntimeException[] error = new RuntimeException[1];
        Thread writer = new Thread(() -> {
            try (OutputStream out = Files.newOutputStream(pipe)) {
                copied[0] = zip.copy(name, out, Long.MAX_VALUE, meter::advance);
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
        CommandResult result = work.runner().run(List.of("env", ImageBuilder.MTOOLS_ENV, "mcopy", "-Q", "-m", "-o", "-i",
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
    private static void syncBackupBootSector(FileChannel file, byte[] boot) throws IOException {
        int reserved = (boot[0x0e] & 0xff) | (boot[0x0f] & 0xff) << 8;
        int backup = (boot[0x32] & 0xff) | (boot[0x33] & 0xff) << 8;
        if (backup > 0 && backup < reserved) {
            file.write(ByteBuffer.wrap(boot), PartitionTable.START_BYTES + (long) backup * PartitionTable.SECTOR);
        }
    }

    /** The sector at {@code position}. */
    private static byte[] read(FileChannel file, long position) throws IOException {
        ByteBuffer sector = ByteBuffer.allocate(PartitionTable.SECTOR);
        while (sector.hasRemaining()) {
            if (file.read(sector, position + sector.position()) < 0) {
                throw new IOException("the image ends before byte " + (position + PartitionTable.SECTOR));
            }
        }
        return sector.array();
    }

    static void run(ImageWork work, String what, List<String> command, Duration timeout) {
        require(what, work.runner().run(command, timeout), timeout);
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

    private static String describeNetwork(NetworkSettings network) {
        var v = network.values();
        return "yes".equals(v.get("USE_DHCP")) ? "set to DHCP" : "set to " + v.get("IPADDR") + "/"
                + v.get("NETMASK") + " via " + v.get("GATEWAY");
    }
}
