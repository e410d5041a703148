package io.github.pveusbgadget.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The GUID as unRAID's registration page shows it: {@code %.4s-%.4s-%.4s-%.12s} of VID, PID and serial. */
class UnraidGuidTest {
    private static final UsbId LINUX_FOUNDATION = new UsbId(0x1d6b, 0x4000);

    private static String guid(UsbId id, String serial) {
        return UnraidGuid.of(id, serial).toString();
    }

    @Test
    void aSixteenCharacterSerialIsSplitFourAndTwelve() {
        assertThat(guid(LINUX_FOUNDATION, "3C53060DC39DDDA5")).isEqualTo("1D6B-4000-3C53-060DC39DDDA5");
    }

    @Test
    void aShortSerialIsLeftPaddedWithZeros() {
        assertThat(guid(LINUX_FOUNDATION, "ABC")).isEqualTo("1D6B-4000-0000-000000000ABC");
        assertThat(guid(new UsbId(0x0781, 0x5571), "4C530001231120115142".substring(4)))
                .isEqualTo("0781-5571-0001-231120115142");
    }

    @Test
    void aLongSerialKeepsItsLastSixteen() {
        assertThat(guid(new UsbId(0x0781, 0x5571), "12345678901234567890")).isEqualTo("0781-5571-5678-901234567890");
    }

    @Test
    void lowerCaseIdsAndSerialsAreUpperCased() {
        assertThat(guid(new UsbId(0xabcd, 0xef01), "deadbeefcafe0042")).isEqualTo("ABCD-EF01-DEAD-BEEFCAFE0042");
    }

    @Test
    void whitespaceInTheSerialIsRemovedBeforePadding() {
        assertThat(guid(LINUX_FOUNDATION, " 12 34\t56 ")).isEqualTo("1D6B-4000-0000-000000123456");
        assertThat(guid(LINUX_FOUNDATION, "0123 4567 89AB CDEF 0123")).isEqualTo("1D6B-4000-4567-89ABCDEF0123");
    }

    @Test
    void smallIdsKeepTheirLeadingZeros() {
        assertThat(guid(new UsbId(0x0001, 0x0002), "1")).isEqualTo("0001-0002-0000-000000000001");
    }

    @Test
    void theConfigPrintsTheSameGuid() {
        assertThat(UnraidGuid.of(LINUX_FOUNDATION, "abc")).isEqualTo(UnraidGuid.of(LINUX_FOUNDATION, "ABC"))
                .hasSameHashCodeAs(UnraidGuid.of(LINUX_FOUNDATION, "0ABC"));
    }
}
