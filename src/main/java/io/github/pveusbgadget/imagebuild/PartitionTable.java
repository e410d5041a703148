package io.github.pveusbgadget.imagebuild;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The image's MBR partition table: one bootable FAT32-LBA (type {@code 0x0c}) partition from 1 MiB to the end.
 * Only bytes 440..511 are ours (disk signature, four entries, {@code 0x55AA}); bytes 0..439 are the boot code
 * ({@code mbr.bin} of the zip), written separately.
 */
public final class PartitionTable {
    public static final int SECTOR = 512;
    /** First sector of the partition: 1 MiB, as the write-up and every modern partitioner do. */
    public static final long START_LBA = 2048;
    public static final long START_BYTES = START_LBA * SECTOR;
    /** Offset of the first byte after the boot code. */
    public static final int BOOT_CODE_SIZE = 440;
    public static final int FAT32_LBA = 0x0c;
    public static final int BOOTABLE = 0x80;
    /** Largest image an MBR can describe with 512-byte sectors. */
    public static final long MAX_IMAGE_BYTES = (0xFFFFFFFFL + START_LBA) * SECTOR;

    private PartitionTable() {
    }

    /** Sectors of the partition in an image of {@code imageBytes} (a multiple of 512). */
    public static long partitionSectors(long imageBytes) {
        return imageBytes / SECTOR - START_LBA;
    }

    /** Bytes 440..511 of sector 0: disk signature, the partition entry, three empty entries, signature. */
    public static byte[] tail(long imageBytes, int diskSignature) {
        long sectors = partitionSectors(imageBytes);
        if (sectors <= 0 || sectors > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("image size out of MBR range: " + imageBytes);
        }
        ByteBuffer b = ByteBuffer.allocate(SECTOR - BOOT_CODE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(diskSignature);
        b.putShort((short) 0);
        b.put((byte) BOOTABLE);
        b.put(chs(START_LBA));
        b.put((byte) FAT32_LBA);
        b.put(chs(START_LBA + sectors - 1));
        b.putInt((int) START_LBA);
        b.putInt((int) sectors);
        b.put(new byte[48]);
        b.put((byte) 0x55);
        b.put((byte) 0xAA);
        return b.array();
    }

    /** Cylinder/head/sector of {@code lba} in the usual 255-head, 63-sector translation, saturated at 1023/254/63. */
    static byte[] chs(long lba) {
        long cylinder = lba / (255 * 63);
        long head = (lba / 63) % 255;
        long sector = lba % 63 + 1;
        if (cylinder > 1023) {
            cylinder = 1023;
            head = 254;
            sector = 63;
        }
        return new byte[] {(byte) head, (byte) (sector | ((cylinder >> 2) & 0xc0)), (byte) (cylinder & 0xff)};
    }

    /** What sector 0 of an image says about its first partition. */
    public record Entry(int status, int type, long startLba, long sectors, boolean signed) {
    }

    public static Entry read(byte[] sector0) {
        ByteBuffer b = ByteBuffer.wrap(sector0).order(ByteOrder.LITTLE_ENDIAN);
        return new Entry(b.get(446) & 0xff, b.get(450) & 0xff, b.getInt(454) & 0xFFFFFFFFL,
                b.getInt(458) & 0xFFFFFFFFL, (sector0[510] & 0xff) == 0x55 && (sector0[511] & 0xff) == 0xaa);
    }
}
