package io.github.pveusbgadget.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The fakes' copy of qemu-server's parameter verification accepts what qemu-server accepts, refuses the rest. */
class QemuServerSchemaTest {
    @Test
    void acceptsWhatQemuServerAccepts() {
        for (String[] ok : List.of(new String[] {"usb0", "host=1d6b:4000,usb3=1"}, new String[] {"usb13", "1d6b:4000"},
                new String[] {"usb1", "mapping=pve-usb-gadget-100,usb3=1"}, new String[] {"usb2", "host=1-2.3"},
                new String[] {"usb3", "spice"}, new String[] {"usb4", "host=0x1D6B:0x4000,usb3=yes"},
                new String[] {"boot", "order=usb0;scsi0;ide2;net0"}, new String[] {"boot", "cdn"},
                new String[] {"boot", "order=hostpci0;virtio15;sata5"},
                new String[] {"hookscript", "local:snippets/pve-usb-gadget-hook"})) {
            assertThat(QemuServerSchema.verify(ok[0], ok[1])).as(ok[0] + " " + ok[1]).isEmpty();
        }
    }

    @Test
    void refusesWhatQemuServerRefuses() {
        for (String[] bad : List.of(new String[] {"usb14", "host=1d6b:4000"},
                new String[] {"usb0", "host=1d6b:4000,usb3=maybe"}, new String[] {"usb0", "host=1d6b:4000,speed=5"},
                new String[] {"usb0", "host=1d6b:40000"}, new String[] {"usb0", "mapping=9x"},
                new String[] {"usb0", "host=1d6b:4000,host=1d6b:4001"}, new String[] {"boot", "order=usb0;floppy0"},
                new String[] {"boot", "order=scsi31"}, new String[] {"boot", "legacy=x"},
                new String[] {"hookscript", "snippets/hook"},
                new String[] {"nonsense", "1"})) {
            assertThat(QemuServerSchema.verify(bad[0], bad[1])).as(bad[0] + " " + bad[1]).isPresent();
        }
        assertThat(QemuServerSchema.verify("usb0", "host=1d6b:4000,usb3=maybe")).contains(
                "usb0: invalid format - usb0.usb3: type check ('boolean') failed - got 'maybe'");
    }
}
