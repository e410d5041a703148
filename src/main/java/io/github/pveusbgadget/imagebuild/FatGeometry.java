package io.github.pveusbgadget.imagebuild;

import java.util.List;

/**
 * The FAT32 file system of an image of a given size: cluster size (chosen as {@code mkfs.fat} 4.2 does, and passed
 * to it explicitly), and how much of the partition a set of files needs.
 */
public record FatGeometry(long imageBytes, int sectorsPerCluster) {
    /** Reserved sectors mkfs.fat gives FAT32 by default. */
    static final int RESERVED_SECTORS = 32;

    public static FatGeometry of(long imageBytes) {
        long partitionMiB = PartitionTable.partitionSectors(imageBytes) * PartitionTable.SECTOR / ByteSize.MIB;
        int spc;
        if (partitionMiB > 32 * 1024) {
            spc = 64;
        } else if (partitionMiB > 16 * 1024) {
            spc = 32;
        } else if (partitionMiB > 8 * 1024) {
            spc = 16;
        } else {
            spc = 8;
        }
        return new FatGeometry(imageBytes, spc);
    }

    public int clusterBytes() {
        return sectorsPerCluster * PartitionTable.SECTOR;
    }

    /** Size of one FAT in bytes (4 bytes per cluster, rounded up to sectors). */
    public long fatBytes() {
        long clusters = PartitionTable.partitionSectors(imageBytes) / sectorsPerCluster + 2;
        return roundUp(clusters * 4, PartitionTable.SECTOR);
    }

    /** The partition's usable data area. */
    public long dataBytes() {
        return PartitionTable.partitionSectors(imageBytes) * PartitionTable.SECTOR
                - RESERVED_SECTORS * (long) PartitionTable.SECTOR - 2 * fatBytes() - clusterBytes();
    }

    /** Bytes of the data area {@code files} and {@code directories} occupy (one cluster per directory, generous). */
    public long bytesFor(List<Long> files, int directories) {
        long total = (directories + 1L) * clusterBytes();
        for (long size : files) {
            total += roundUp(size, clusterBytes());
        }
        return total;
    }

    /** Whether the files fit with at least {@code slack} bytes to spare. */
    public boolean fits(List<Long> files, int directories, long slack) {
        return bytesFor(files, directories) + slack <= dataBytes();
    }

    static long roundUp(long value, long unit) {
        return (value + unit - 1) / unit * unit;
    }
}
