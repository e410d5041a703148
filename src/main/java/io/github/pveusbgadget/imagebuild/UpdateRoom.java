package io.github.pveusbgadget.imagebuild;

import java.util.List;
import java.util.Optional;

/**
 * Room for unRAID's own OS updater on the flash drive, and the default image size that leaves it.
 *
 * <p>The rule, from unRAID's updater ({@code emhttp/plugins/unRAIDServer/unRAIDServer.plg} in unraid/webgui): after
 * the md5 check it compares {@code df -B1 /boot} (free bytes) with {@code unzip -l} of the new release zip (its
 * unpacked size) and stops with "boot device shows ... free but upgrade needs ..." when the free space is smaller.
 * It unpacks into {@code /boot/unRAIDServer}, then moves the running release's files to {@code /boot/previous}
 * (kept for a roll-back), so from the second update on the flash holds the current release, the previous one and
 * the next one at the same time. 7.x release zips are about 1.2 GB and the {@code bz*} files in them are already
 * compressed, so they unpack to about the same. unRAID's docs ask for a flash drive of 2 GB to 32 GB.
 */
public final class UpdateRoom {
    /** What one unRAID 7.x release unpacks to (zips of 7.0 to 7.2 are about 1.2 GB), with a little growth. */
    public static final long RELEASE_BYTES = 1280 * ByteSize.MIB;
    /**
     * The default {@code --size}: the current release, the previous one the updater keeps and the next one unpacked
     * (3 x 1.25 GiB), plus room for growth, the config, plugins and logs; well under unRAID's 32 GB maximum. The
     * image is sparse, so the unused part costs nothing on the host.
     */
    public static final String DEFAULT_SIZE = "8G";

    private UpdateRoom() {
    }

    /**
     * One line saying that an image of {@code size} bytes leaves less free space than one release unpacks to, and
     * which {@code --size} would; empty when the update fits.
     */
    public static Optional<String> warning(long size, UnraidZip zip) {
        return warning(size, ImageBuilder.flashFiles(zip), zip.directories().size());
    }

    /** As {@link #warning(long, UnraidZip)} for flash content of these file sizes and this many directories. */
    static Optional<String> warning(long size, List<Long> files, int directories) {
        long content = files.stream().mapToLong(Long::longValue).sum();
        long release = Math.max(RELEASE_BYTES, content);
        long free = free(size, files, directories);
        if (free >= release) {
            return Optional.empty();
        }
        long fitting = 1;
        while (fitting * ByteSize.GIB < PartitionTable.MAX_IMAGE_BYTES
                && free(fitting * ByteSize.GIB, files, directories) < release) {
            fitting++;
        }
        return Optional.of("--size " + ByteSize.format(size) + " leaves " + ByteSize.format(Math.max(0, free))
                + " free on the flash, less than the " + ByteSize.format(release) + " an unRAID update unpacks there, "
                + "so unRAID's updater will refuse to update in place; --size " + fitting + "G fits one update, the "
                + "default " + DEFAULT_SIZE + " also the ones after it");
    }

    /** Free bytes of the FAT32 file system once the files are on it. */
    static long free(long size, List<Long> files, int directories) {
        FatGeometry geometry = FatGeometry.of(size);
        return geometry.dataBytes() - geometry.bytesFor(files, directories);
    }
}
