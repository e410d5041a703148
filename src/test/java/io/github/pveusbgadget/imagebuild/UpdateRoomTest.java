package io.github.pveusbgadget.imagebuild;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** unRAID's updater needs the new release's unpacked size free on the flash; the default size leaves it. */
class UpdateRoomTest {
    /** The files of a 7.x release: bzroot, bzmodules, bzfirmware, bzimage, bzroot-gui and the small rest. */
    private static final List<Long> SEVEN_X = List.of(180 * ByteSize.MIB, 520 * ByteSize.MIB, 420 * ByteSize.MIB,
            12 * ByteSize.MIB, 110 * ByteSize.MIB, 3 * ByteSize.MIB, 128 * ByteSize.KIB, 64 * ByteSize.KIB);

    @TempDir
    Path dir;

    @Test
    void theDefaultSizeHasRoomForTheNextReleasesOfASevenXRelease() {
        long size = ByteSize.parse("--size", UpdateRoom.DEFAULT_SIZE);
        assertThat(UpdateRoom.warning(size, SEVEN_X, 5)).isEmpty();
        // Room for the previous release the updater keeps and the next one unpacked, with some to spare.
        assertThat(UpdateRoom.free(size, SEVEN_X, 5)).isGreaterThan(4 * UpdateRoom.RELEASE_BYTES);
    }

    @Test
    void twoGigabytesBootASevenXReleaseButCannotUpdateIt() {
        assertThat(UpdateRoom.warning(2 * ByteSize.GIB, SEVEN_X, 5)).hasValueSatisfying(w -> assertThat(w)
                .startsWith("--size 2 GiB leaves 797.8 MiB ")
                .contains("free on the flash, less than the 1.3 GiB an unRAID update unpacks there",
                        "updater will refuse to update in place; --size 3G fits one update, the default 8G")
                .doesNotContain("\n"));
        assertThat(UpdateRoom.warning(3 * ByteSize.GIB, SEVEN_X, 5)).isEmpty();
    }

    @Test
    void aReleaseLargerThanTheEstimateCountsWithItsOwnSize() {
        List<Long> big = List.of(3 * ByteSize.GIB);
        assertThat(UpdateRoom.warning(5 * ByteSize.GIB, big, 1)).hasValueSatisfying(w -> assertThat(w)
                .contains("less than the 3 GiB", "--size 7G fits one update"));
    }

    @Test
    void aSmallZipStillNeedsRoomForARealRelease() throws IOException {
        try (UnraidZip zip = UnraidZip.open(TestZips.unraid(dir))) {
            assertThat(UpdateRoom.warning(512 * ByteSize.MIB, zip)).hasValueSatisfying(w -> assertThat(w)
                    .contains("less than the 1.3 GiB", "--size 2G fits one update"));
            assertThat(UpdateRoom.warning(2 * ByteSize.GIB, zip)).isEmpty();
        }
    }
}
