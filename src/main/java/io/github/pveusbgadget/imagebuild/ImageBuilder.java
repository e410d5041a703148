package io.github.pveusbgadget.imagebuild;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.host.CommandResult;
import io.github.pveusbgadget.host.CommandRunner;
import io.github.pveusbgadget.plan.Plan;
import io.github.pveusbgadget.plan.PlanExecutor;
import io.github.pveusbgadget.progress.Progress;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.commons.io.file.PathUtils;

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

    private final CommandRunner runner;
    private final PrintWriter log;
    private final Path tempRoot;
    private final Progress progress;

    /**
     * @param tempRoot where the small files are unpacked ({@link #tempRoot})
     * @param progress how the long steps show progress
     */
    public ImageBuilder(CommandRunner runner, PrintWriter log, Path tempRoot, Progress progress) {
        this.runner = runner;
        this.tempRoot = tempRoot;
        this.log = log;
        this.progress = progress;
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
            if (Files.isExecutable(tempRoot.getFileSystem().getPath(path))) {
                return path;
            }
        }
        throw ToolException.refused("mkfs.fat not found: install dosfstools (apt install dosfstools)");
    }

    /**
     * The steps that build {@code request} from the zip at {@code zipPath}: what {@link #build} applies and
     * {@code --dry-run} prints. {@code zip} is null when the zip is not downloaded yet: then the plan can only be
     * printed, and its script tests the zip's content itself.
     */
    public Plan<ImageWork> plan(ImageRequest request, Path zipPath, UnraidZip zip) {
        Path output = request.output().toAbsolutePath();
        Path partial = partialName(output);
        FatGeometry geometry = FatGeometry.of(request.size());
        String mkfs = zip == null ? "mkfs.fat" : mkfs();
        return new Plan<ImageWork>()
                .add(new ImageSteps.CreateImageFile(partial, output, request.size(), request.volumeId()))
                .add(new ImageSteps.Format(mkfsCommand(mkfs, partial.toString(), request, geometry), partial,
                        request.label(), geometry.clusterBytes()))
                .add(new ImageSteps.CopyFiles(zip, zipPath, partial, request.network(), request.label(),
                        geometry.dataBytes()))
                .add(new ImageSteps.InstallSyslinux(zip, partial))
                .add(new ImageSteps.WriteBootCode(zip, partial, request.size(), request.volumeId()))
                .add(new ImageSteps.MoveIntoPlace(partial, output));
    }

    private static List<String> mkfsCommand(String mkfs, String image, ImageRequest request, FatGeometry geometry) {
        return List.of(mkfs, "-F", "32", "-n", request.label(), "-i",
                String.format(Locale.ROOT, "%08X", request.volumeId()), "-s",
                String.valueOf(geometry.sectorsPerCluster()), "-h", String.valueOf(PartitionTable.START_LBA),
                "-b", String.valueOf(BACKUP_BOOT_SECTOR),
                "--offset=" + PartitionTable.START_LBA, image,
                String.valueOf(PartitionTable.partitionSectors(request.size()) / 2));
    }

    /** Builds the image (applies {@link #plan}); on any failure the partial file and the temporary files go. */
    public void build(ImageRequest request, UnraidZip zip) {
        long started = System.nanoTime();
        Path output = request.output().toAbsolutePath();
        Path partial = partialName(output);
        Plan<ImageWork> plan = plan(request, zip.source(), zip);
        Path work = null;
        Thread cleanup = new Thread(() -> deleteQuietly(partial));
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            work = Files.createTempDirectory(tempRoot, "pve-usb-gadget-image-");
            PlanExecutor.quiet(new ImageWork(runner, log, work, progress)).apply("image create", plan);
            long allocated = allocatedBytes(output);
            log.println(String.format(Locale.ROOT, "done: %s (%s, %s allocated) in %.1f s", output,
                    ByteSize.format(request.size()), allocated < 0 ? "?" : ByteSize.format(allocated),
                    (System.nanoTime() - started) / 1e9));
        } catch (IOException | ToolException e) {
            throw cannotCreate(output, e);
        } finally {
            deleteQuietly(partial);
            if (work != null) {
                deleteQuietly(work);
            }
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException e) {
                // Shutting down already: the hook removes the partial file.
            }
        }
    }

    /** A failure of a step as the one line the user sees: out of space says so, everything says nothing is left. */
    private static ToolException cannotCreate(Path output, Exception e) {
        Throwable cause = e instanceof ToolException tool && tool.getCause() instanceof IOException io ? io : e;
        if (e instanceof ToolException tool && cause == e) {
            return tool;
        }
        String why = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        if (why.toLowerCase(Locale.ROOT).contains("no space")) {
            return ToolException.refused("no space left while writing " + output + " (" + why + "); free some "
                    + "space and run again; nothing was left behind");
        }
        return ToolException.failed("cannot create " + output + ": " + why + "; nothing was left behind", cause);
    }

    static Path partialName(Path output) {
        return output.resolveSibling("." + output.getFileName() + ".partial");
    }

    /** Where the small files are unpacked: {@code $TMPDIR} as for any Unix tool, else Java's temporary directory. */
    public static Path tempRoot(Optional<String> tmpdir, Path javaTmpDir) {
        return tmpdir.map(javaTmpDir.getFileSystem()::getPath).filter(Files::isDirectory).orElse(javaTmpDir);
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

    /** Removes a file or a directory tree, if it is there; best effort (it is a temporary of ours). */
    private static void deleteQuietly(Path path) {
        try {
            PathUtils.delete(path);
        } catch (IOException e) {
            // Best effort: missing already, or in the temporary directory.
        }
    }
}
