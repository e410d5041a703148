package io.github.pveusbgadget.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pveusbgadget.ToolException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigParserTest {
    private static final Path FILE = Path.of("/etc/pve-usb-gadget/100.conf");
    private static final String MINIMAL = "image = /var/lib/vz/images/100/unraid.img\nproduct_id = 0x4000\n"
            + "serial = 0123456789ABCDEF\n";
    private final ConfigParser parser = new ConfigParser();

    private GadgetConfig parse(String text) {
        return parser.parse(new VmId(100), FILE, text);
    }

    @Test
    void appliesTheDefaultsOfProductMd() {
        GadgetConfig config = parse(MINIMAL);
        assertThat(config.image()).isEqualTo(Path.of("/var/lib/vz/images/100/unraid.img"));
        assertThat(config.usbId()).isEqualTo(new UsbId(0x1d6b, 0x4000));
        assertThat(config.manufacturer()).isEqualTo("pve-usb-gadget");
        assertThat(config.product()).isEqualTo("Virtual Flash");
        assertThat(config.readOnly()).isFalse();
        assertThat(config.removable()).isTrue();
        assertThat(config.cdrom()).isFalse();
        assertThat(config.noFua()).isFalse();
        assertThat(config.maxSpeed()).isEmpty();
        assertThat(config.enumerateTimeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void readsEveryKeyWithCommentsAndBlankLines() {
        GadgetConfig config = parse("# unRAID stick\n\n  image=/dev/sdz  \nvendor_id = 0x0781\nproduct_id = 0x5571\n"
                + "serial = 4C530001231120115142\nmanufacturer = SanDisk\nproduct = Cruzer Fit\n"
                + "inquiry_vendor = SanDisk\ninquiry_product = Cruzer Fit\ninquiry_revision = 1.00\n"
                + "read_only = true\nremovable = false\ncdrom = yes\nnofua = 1\nmax_speed = high\n"
                + "enumerate_timeout = 30\n");
        assertThat(config.usbId()).hasToString("0781:5571");
        assertThat(config.inquiryString()).isEqualTo("SanDisk Cruzer Fit      1.00").hasSize(28);
        assertThat(config.readOnly()).isTrue();
        assertThat(config.removable()).isFalse();
        assertThat(config.cdrom()).isTrue();
        assertThat(config.noFua()).isTrue();
        assertThat(config.maxSpeed()).isEqualTo(Optional.of(MaxSpeed.HIGH));
        assertThat(config.enumerateTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.unraidGuid()).isEqualTo("0781-5571-0001-231120115142");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "colour = red|100.conf:4: colour: unknown key",
        "serial = ABC|100.conf:4: serial: duplicate key, already set on line 3",
        "just words|100.conf:4: expected 'key = value'",
        "vendor_id = 1d6b|100.conf:4: vendor_id: '1d6b' is not a hex id like 0x1d6b",
        "vendor_id = 0x12345|100.conf:4: vendor_id: '0x12345' is too large: USB ids are 16-bit, at most 0xffff",
        "vendor_id = 0x10000|100.conf:4: vendor_id: '0x10000' is too large",
        "vendor_id = 0x0000|100.conf:4: vendor_id: 0x0000 is not a valid USB id",
        "read_only = maybe|100.conf:4: read_only: 'maybe' is not a boolean",
        "max_speed = full|100.conf:4: max_speed: 'full' is not 'high' or 'super'",
        "enumerate_timeout = 0|100.conf:4: enumerate_timeout: '0' is not a number of seconds from 1 to 600",
        "enumerate_timeout = 1e3|100.conf:4: enumerate_timeout: '1e3' is not a number",
        "inquiry_vendor = ABCDEFGHI|100.conf:4: inquiry_vendor: 'ABCDEFGHI' is longer than 8 characters",
        "inquiry_product = ABCDEFGHIJKLMNOPQ|100.conf:4: inquiry_product: 'ABCDEFGHIJKLMNOPQ' is longer than 16",
        "inquiry_revision = 1.000|100.conf:4: inquiry_revision: '1.000' is longer than 4 characters",
        "manufacturer = caf\u00e9|100.conf:4: manufacturer: must be printable ASCII",
    })
    void rejectsBadLinesNamingFileLineAndKey(String line, String expected) {
        assertThatThrownBy(() -> parse(MINIMAL + line + "\n"))
                .isInstanceOf(ToolException.class)
                .hasMessageContaining(expected)
                .extracting(e -> ((ToolException) e).exitCode()).isEqualTo(2);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "serial = 0000|serial: must not be all zeros",
        "serial = AB-CD|serial: 'AB-CD' must be 1 to 126 characters",
        "serial = |serial: '' must be 1 to 126 characters",
        "image = relative/path.img|image: 'relative/path.img' is not an absolute path",
        "image = /var/lib/../../etc/shadow|image: '/var/lib/../../etc/shadow' contains '..'",
        "image = |image: is empty",
    })
    void rejectsBadIdentityAndImage(String line, String expected) {
        String key = line.substring(0, line.indexOf(' '));
        String text = MINIMAL.lines().filter(l -> !l.startsWith(key)).reduce("", (a, b) -> a + b + "\n") + line;
        assertThatThrownBy(() -> parse(text)).isInstanceOf(ToolException.class).hasMessageContaining(expected);
    }

    @Test
    void aSerialOf127CharactersIsTooLong() {
        String text = MINIMAL.replace("serial = 0123456789ABCDEF", "serial = " + "A".repeat(127));
        assertThatThrownBy(() -> parse(text)).hasMessageContaining("serial: ");
        assertThat(parse(MINIMAL.replace("0123456789ABCDEF", "A".repeat(126))).serial()).hasSize(126);
    }

    @Test
    void missingRequiredKeysSayHowToFix() {
        assertThatThrownBy(() -> parse("product_id = 0x4000\nserial = 1\n"))
                .hasMessage(FILE + ": required key 'image' is missing; add a line 'image = ...'");
        assertThatThrownBy(() -> parse("image = /x.img\nproduct_id = 0x4000\n"))
                .hasMessageContaining("required key 'serial' is missing")
                .hasMessageContaining("pve-usb-gadget init");
    }

    @Test
    void randomGarbageOnlyEverGivesAOneLineConfigError() {
        Random random = new Random(7);
        for (int i = 0; i < 2000; i++) {
            byte[] bytes = new byte[random.nextInt(300)];
            random.nextBytes(bytes);
            String text = (i % 2 == 0 ? MINIMAL : "") + new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
            try {
                parse(text);
            } catch (ToolException e) {
                assertThat(e.exitCode()).isEqualTo(2);
                assertThat(e.getMessage()).doesNotContain("\n").hasSizeLessThan(600);
            }
        }
    }
}
