package io.github.pveusbgadget.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;

/**
 * {@code backup_keep = N}: after {@code down}, a copy of the image named {@code <image>.<UTC timestamp>} with a
 * {@code .sha256} beside it, written sparse (blocks of zeros are skipped, as the image's own holes were), verified by
 * reading it back, and the oldest copies beyond N removed. unRAID keeps its whole configuration on the flash drive;
 * this is the undo for a bad upgrade.
 */
public final class ImageBackup {
    /**
     * Copied, compared with zeros and checked for {@code abandon} at a time: 64 KiB are a moment's work even for a
     * slow machine, so an {@code up} that asks the copy to give up does not wait for it.
     */
    private static final int BLOCK = 1 << 16;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final Pattern STAMP_SUFFIX = Pattern.compile("\\.[0-9]{8}T[0-9]{6}Z");

    private final Clock clock;

    public ImageBackup(Clock clock) {
        this.clock = clock;
    }

    /** A copy given up because {@code up} needs the image: its partial file is gone, the older copies are kept. */
    public static final class Abandoned extends IOException {
        Abandoned(Path image) {
            super("the backup of " + image + " was abandoned: a gadget is about to serve the image");
        }
    }

    /** Copies {@code image}, verifies the copy and prunes to {@code keep} copies; returns the new copy. */
    public Path backUp(Path image, int keep) throws IOException {
        return backUp(image, keep, () -> false);
    }

    /**
     * Copies {@code image}, verifies the copy and prunes to {@code keep} copies; returns the new copy. The copy is
     * written as a hidden {@code .<name>.partial} (never taken for a backup) and renamed when verified; when
     * {@code abandon} becomes true (checked before every block and before the rename) it is removed and
     * {@link Abandoned} thrown. Partial files left by a copy that died (a crash, a reboot) are removed first.
     */
    public Path backUp(Path image, int keep, BooleanSupplier abandon) throws IOException {
        Path backup = image.resolveSibling(image.getFileName() + "." + STAMP.format(clock.instant()));
        Path temp = image.resolveSibling("." + backup.getFileName() + ".partial");
        removeStalePartials(image);
        try {
            byte[] digest = sparseCopy(image, temp, abandon);
            if (abandon.getAsBoolean()) {
                throw new Abandoned(image);
            }
            if (!MessageDigest.isEqual(digest, digestOf(temp, abandon))) {
                throw new IOException("the copy " + temp + " does not read back as written");
            }
            Files.move(temp, backup, StandardCopyOption.ATOMIC_MOVE);
            Files.writeString(checksumFile(backup), HexFormat.of().formatHex(digest) + "  "
                    + backup.getFileName() + "\n", StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(temp);
        }
        prune(image, keep);
        return backup;
    }

    /** The existing copies of {@code image}, oldest first. */
    public static List<Path> copiesOf(Path image) throws IOException {
        List<Path> copies = new ArrayList<>();
        String prefix = image.getFileName().toString();
        try (DirectoryStream<Path> siblings = Files.newDirectoryStream(image.getParent(), prefix + ".*")) {
            for (Path sibling : siblings) {
                String suffix = sibling.getFileName().toString().substring(prefix.length());
                if (STAMP_SUFFIX.matcher(suffix).matches()) {
                    copies.add(sibling);
                }
            }
        }
        copies.sort(null);
        return copies;
    }

    /** The hidden partial copies of {@code image}: left by a copy that died, since one that ends removes its own. */
    private static void removeStalePartials(Path image) throws IOException {
        String prefix = "." + image.getFileName() + ".";
        try (DirectoryStream<Path> siblings = Files.newDirectoryStream(image.getParent(), prefix + "*.partial")) {
            for (Path sibling : siblings) {
                String stamp = sibling.getFileName().toString();
                stamp = stamp.substring(prefix.length() - 1, stamp.length() - ".partial".length());
                if (STAMP_SUFFIX.matcher(stamp).matches() && Files.isRegularFile(sibling, LinkOption.NOFOLLOW_LINKS)) {
                    Files.delete(sibling);
                }
            }
        }
    }

    private static void prune(Path image, int keep) throws IOException {
        List<Path> copies = copiesOf(image);
        for (int i = 0; i < copies.size() - keep; i++) {
            Files.deleteIfExists(checksumFile(copies.get(i)));
            Files.delete(copies.get(i));
        }
    }

    private static Path checksumFile(Path backup) {
        return backup.resolveSibling(backup.getFileName() + ".sha256");
    }

    private static byte[] sparseCopy(Path from, Path to, BooleanSupplier abandon) throws IOException {
        MessageDigest digest = sha256();
        ByteBuffer buffer = ByteBuffer.allocate(BLOCK);
        try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(to, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long size = in.size();
            long position = 0;
            while (position < size) {
                if (abandon.getAsBoolean()) {
                    throw new Abandoned(from);
                }
                buffer.clear();
                int read = in.read(buffer, position);
                if (read <= 0) {
                    break;
                }
                buffer.flip();
                digest.update(buffer.duplicate());
                if (!isZero(buffer)) {
                    while (buffer.hasRemaining()) {
                        out.write(buffer, position + buffer.position());
                    }
                }
                position += read;
            }
            if (out.size() < size) {
                // Extend to full length with a final zero byte; everything before it stays a hole.
                out.write(ByteBuffer.wrap(new byte[1]), size - 1);
            }
            out.force(true);
        }
        return digest.digest();
    }

    private static byte[] digestOf(Path file, BooleanSupplier abandon) throws IOException {
        MessageDigest digest = sha256();
        ByteBuffer buffer = ByteBuffer.allocate(BLOCK);
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            while (in.read(buffer) > 0) {
                if (abandon.getAsBoolean()) {
                    throw new Abandoned(file);
                }
                buffer.flip();
                digest.update(buffer);
                buffer.clear();
            }
        }
        return digest.digest();
    }

    private static boolean isZero(ByteBuffer buffer) {
        for (int i = buffer.position(); i < buffer.limit(); i++) {
            if (buffer.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
