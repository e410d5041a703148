package io.github.pveusbgadget.imagebuild;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class PartitionTableTest {
    @Test
    void twoGibImageHasOneBootableFat32LbaPartitionFromOneMib() {
        byte[] tail = PartitionTable.tail(2 * ByteSize.GIB, 0x12345678);
        assertThat(tail).hasSize(72);
        assertThat(HexFormat.of().formatHex(tail, 0, 6)).isEqualTo("785634120000");
        // status, CHS start (0/32/33), type, CHS end (261/21/16 for LBA 4194303), start 2048, 4192256 sectors
        assertThat(HexFormat.of().formatHex(tail, 6, 22)).isEqualTo("802021000c" + "1550" + "05" + "00080000"
                + "00f83f00");
        assertThat(tail).endsWith(0x55, 0xaa);
        for (int i = 22; i < 70; i++) {
            assertThat(tail[i]).as("byte %d of the empty entries", i).isZero();
        }
    }

    @Test
    void readsBackWhatItWrote() {
        byte[] sector = new byte[512];
        System.arraycopy(PartitionTable.tail(ByteSize.GIB, 1), 0, sector, 440, 72);
        PartitionTable.Entry entry = PartitionTable.read(sector);
        assertThat(entry).isEqualTo(new PartitionTable.Entry(0x80, 0x0c, 2048, 2097152 - 2048, true));
    }

    @Test
    void chsSaturatesPastCylinder1023() {
        assertThat(PartitionTable.chs(0)).containsExactly(0, 1, 0);
        assertThat(PartitionTable.chs(2048)).containsExactly(32, 33, 0);
        assertThat(PartitionTable.chs(100L * 1024 * 1024 * 1024 / 512)).containsExactly(0xfe, 0xff, 0xff);
    }

    @Test
    void refusesWhatAnMbrCannotDescribe() {
        assertThatThrownBy(() -> PartitionTable.tail(PartitionTable.MAX_IMAGE_BYTES + 512, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PartitionTable.tail(512 * 2048, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
