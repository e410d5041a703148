package io.github.pveusbgadget.imagebuild;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pveusbgadget.ToolException;
import org.junit.jupiter.api.Test;

class NetworkSettingsTest {
    @Test
    void staticSettingsUseTheWriteUpsKeys() {
        NetworkSettings s = NetworkSettings.of("static", "192.168.1.50/24", "192.168.1.1", "1.1.1.1");
        assertThat(s.render(null)).isEqualTo("# Generated settings: written by pve-usb-gadget image create\r\n"
                + "USE_DHCP=\"no\"\r\nIPADDR=\"192.168.1.50\"\r\nNETMASK=\"255.255.255.0\"\r\n"
                + "GATEWAY=\"192.168.1.1\"\r\nDNS_SERVER1=\"1.1.1.1\"\r\n");
    }

    @Test
    void theZipsFileKeepsItsOtherLinesAndLineEnds() {
        NetworkSettings s = NetworkSettings.of("static", "10.1.2.3/16", "10.1.0.1", null);
        String zips = "# Generated settings:\nIFNAME[0]=\"br0\"\nUSE_DHCP[0]=\"yes\"\nBONDING=\"yes\"\n\n";
        assertThat(s.render(zips)).isEqualTo("# Generated settings:\nIFNAME[0]=\"br0\"\nUSE_DHCP[0]=\"no\"\n"
                + "BONDING=\"yes\"\nIPADDR=\"10.1.2.3\"\nNETMASK=\"255.255.0.0\"\nGATEWAY=\"10.1.0.1\"\n"
                + "DNS_SERVER1=\"10.1.0.1\"\n");
    }

    @Test
    void dhcp() {
        assertThat(NetworkSettings.of("dhcp", null, null, null).render("USE_DHCP=\"no\"\r\nIPADDR=\"1.2.3.4\"\r\n"))
                .isEqualTo("USE_DHCP=\"yes\"\r\nIPADDR=\"1.2.3.4\"\r\n");
        assertThat(NetworkSettings.of(null, null, null, null)).isNull();
    }

    @Test
    void badSettingsAreExitTwo() {
        String[][] bad = {
            {"static", "192.168.1.50", "192.168.1.1", null, "--address '192.168.1.50' must be an IPv4 address"},
            {"static", "192.168.1.300/24", "192.168.1.1", null, "--address '192.168.1.300'"},
            {"static", "192.168.1.50/24", null, null, "--network static needs"},
            {"static", "192.168.1.50/24", "192.168.2.1", null, "--gateway 192.168.2.1 is not in the network"},
            {"static", "192.168.1.0/24", "192.168.1.1", null, "network or broadcast"},
            {"static", "192.168.1.5/24", "192.168.1.1", "dns", "--dns 'dns'"},
            {"static", "192.168.1.5/33", "192.168.1.1", null, "prefix length"},
            {"dhcp", "192.168.1.5/24", null, null, "go with --network static"},
            {"manual", null, null, null, "--network 'manual' must be dhcp or static"},
            {null, "192.168.1.5/24", null, null, "need --network static"},
        };
        for (String[] b : bad) {
            assertThatThrownBy(() -> NetworkSettings.of(b[0], b[1], b[2], b[3])).as(String.join(" ", b[4]))
                    .isInstanceOf(ToolException.class).hasMessageContaining(b[4])
                    .satisfies(e -> assertThat(((ToolException) e).exitCode()).isEqualTo(2));
        }
    }
}
