package io.github.pveusbgadget.imagebuild;

import java.nio.file.Path;

/**
 * What {@code image create} is asked to build.
 *
 * @param output   the image file to create
 * @param size     its size in bytes (a whole number of MiB)
 * @param label    the FAT volume label
 * @param network  settings for {@code config/network.cfg}, or null to keep the zip's
 * @param force    whether an existing output may be replaced
 * @param volumeId the FAT volume id (serial number), also the MBR's disk signature
 */
public record ImageRequest(Path output, long size, String label, NetworkSettings network, boolean force,
                           int volumeId) {
}
