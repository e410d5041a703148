package io.github.pveusbgadget.proxmox;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** qemu-server's controller rule (PVE/QemuServer/USB.pm), case by case. */
class UsbControllerTest {
    private static boolean xhci(String config) {
        return UsbController.usesQemuXhci(VmConfig.parse(config));
    }

    @Test
    void modernMachineAndOsTypesGetQemuXhciAndFourteenSlots() {
        assertThat(xhci("ostype: l26\n")).isTrue();
        assertThat(xhci("ostype: l26\nmachine: q35\n")).isTrue();
        assertThat(xhci("ostype: win10\nmachine: pc-q35-7.1\n")).isTrue();
        assertThat(xhci("ostype: win11\nmachine: type=pc-i440fx-8.1+pve0,viommu=virtio\n")).isTrue();
        assertThat(UsbController.slots(VmConfig.parse("ostype: l26\n"))).isEqualTo(14);
    }

    @Test
    void oldMachineVersionsAndOsTypesGetFiveSlots() {
        assertThat(xhci("ostype: l26\nmachine: pc-i440fx-7.0\n")).isFalse();
        assertThat(xhci("ostype: l26\nmachine: pc-q35-6.2+pve1\n")).isFalse();
        assertThat(xhci("ostype: win7\n")).isFalse();
        assertThat(xhci("ostype: other\n")).isFalse();
        assertThat(xhci("cores: 2\n")).isFalse();
        assertThat(UsbController.slots(VmConfig.parse("ostype: other\n"))).isEqualTo(5);
    }
}
