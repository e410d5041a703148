package io.github.pveusbgadget.imagebuild;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pveusbgadget.ToolException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Sizes, labels and the FAT geometry. */
class ValuesTest {
    @Test
    void sizesAreBinary() {
        assertThat(ByteSize.parse("--size", "2G")).isEqualTo(2L << 30);
        assertThat(ByteSize.parse("--size", "2GiB")).isEqualTo(2L << 30);
        assertThat(ByteSize.parse("--size", "1536m")).isEqualTo(1536L << 20);
        assertThat(ByteSize.parse("--size", "1T")).isEqualTo(1L << 40);
        assertThat(ByteSize.parse("--size", "4096")).isEqualTo(4096);
        assertThat(ByteSize.format(2L << 30)).isEqualTo("2 GiB");
        assertThat(ByteSize.format(1536L << 20)).isEqualTo("1.5 GiB");
        assertThat(ByteSize.format(12)).isEqualTo("12 bytes");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "G", "2X", "-1G", "1.5G", "99999999999999999T"})
    void badSizesAreExitTwoNamingTheOption(String text) {
        assertThatThrownBy(() -> ByteSize.parse("--size", text)).isInstanceOf(ToolException.class)
                .hasMessageStartingWith("--size '" + text + "'")
                .satisfies(e -> assertThat(((ToolException) e).exitCode()).isEqualTo(2));
    }

    @Test
    void labels() {
        assertThat(VolumeLabel.validate("UNRAID")).isEqualTo("UNRAID");
        assertThat(VolumeLabel.validate("MY-DISK_1")).isEqualTo("MY-DISK_1");
        assertThat(VolumeLabel.validate("ELEVENCHARS")).isEqualTo("ELEVENCHARS");
        // unRAID's docs allow A-Z, 0-9, '-' and '_'; rc.S splits the kernel command line at blanks.
        for (String bad : List.of("", "unraid", "TWELVE_CHARS", " UNRAID", "MY DISK", "UN.RAID", "UNRAÏD", "A&B",
                "X~1")) {
            assertThatThrownBy(() -> VolumeLabel.validate(bad)).as(bad).isInstanceOf(ToolException.class)
                    .hasMessage("--label '" + bad + "': unRAID finds its flash only by a label of 1 to 11 characters "
                            + "A-Z, 0-9, '-' and '_' (upper case); use UNRAID (the default) or such a label")
                    .satisfies(e -> assertThat(((ToolException) e).exitCode()).isEqualTo(2));
        }
    }

    @Test
    void clusterSizesFollowMkfsFat() {
        assertThat(FatGeometry.of(512 * ByteSize.MIB).clusterBytes()).isEqualTo(4096);
        assertThat(FatGeometry.of(8 * ByteSize.GIB).clusterBytes()).isEqualTo(4096);
        assertThat(FatGeometry.of(16 * ByteSize.GIB).clusterBytes()).isEqualTo(8192);
        assertThat(FatGeometry.of(32 * ByteSize.GIB).clusterBytes()).isEqualTo(16384);
        assertThat(FatGeometry.of(64 * ByteSize.GIB).clusterBytes()).isEqualTo(32768);
    }

    @Test
    void contentMustFitWithSlack() {
        FatGeometry g = FatGeometry.of(512 * ByteSize.MIB);
        assertThat(g.dataBytes()).isBetween(500 * ByteSize.MIB, 511 * ByteSize.MIB);
        assertThat(g.fits(List.of(400 * ByteSize.MIB), 5, 16 * ByteSize.MIB)).isTrue();
        assertThat(g.fits(List.of(500 * ByteSize.MIB), 5, 16 * ByteSize.MIB)).isFalse();
        // Every file takes whole clusters: 100 one-byte files need 100 clusters.
        assertThat(g.bytesFor(java.util.Collections.nCopies(100, 1L), 0)).isEqualTo(101 * 4096L);
    }
}
