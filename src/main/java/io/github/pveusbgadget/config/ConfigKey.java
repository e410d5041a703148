package io.github.pveusbgadget.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One key of {@code <vmid>.conf} with what it means and its default: the one list the parser accepts, {@code init
 * --help} prints and the man page's CONFIGURATION section is checked against (an installed user has no PRODUCT.md).
 *
 * @param name    the key as written in the file
 * @param meaning what it does, its values and, in brackets, its default
 */
public record ConfigKey(String name, String meaning) {
    /** Every key, in the order {@code init} writes them and the reference lists them. */
    public static final List<ConfigKey> ALL = List.of(
            new ConfigKey("image", "required: absolute path (no . or .. parts) of a regular file or block device"),
            new ConfigKey("vendor_id", "USB vendor id, hex 0x0001 to 0xffff [0x1d6b]"),
            new ConfigKey("product_id", "required: USB product id, hex 0x0001 to 0xffff, unique per VM (init chooses "
                    + "one from 0x4000)"),
            new ConfigKey("serial", "required: 1 to 126 of 0-9, A-Z, a-z, not all zeros (init makes 16 random "
                    + "upper-case hex characters); with the ids it is the unRAID GUID: keep all three stable"),
            new ConfigKey("manufacturer", "USB manufacturer string, printable ASCII [pve-usb-gadget]"),
            new ConfigKey("product", "USB product string, printable ASCII [Virtual Flash]"),
            new ConfigKey("inquiry_vendor", "SCSI INQUIRY vendor, at most 8 printable ASCII characters [PVE]"),
            new ConfigKey("inquiry_product", "SCSI INQUIRY product, at most 16 printable ASCII characters "
                    + "[Virtual Flash]"),
            new ConfigKey("inquiry_revision", "SCSI INQUIRY revision, at most 4 printable ASCII characters [1.00]"),
            new ConfigKey("read_only", "the VM cannot write the drive: true or false (also yes/no, 1/0, on/off) "
                    + "[false]"),
            new ConfigKey("removable", "the drive reports removable media: true or false [true]"),
            new ConfigKey("cdrom", "the drive is a CD-ROM: true or false [false]"),
            new ConfigKey("nofua", "ignore the FUA (force unit access) flag of writes: true or false [false]"),
            new ConfigKey("max_speed", "high or super [super when the UDC offers it]"),
            new ConfigKey("enumerate_timeout", "seconds pre-start waits for the host to see the device, and down for "
                    + "it to go, 1 to 600 [10]"),
            new ConfigKey("backup_keep", "after down, keep this many verified sparse copies IMAGE.<UTC timestamp> "
                    + "(+ .sha256), 0 to 999; a failed backup never fails the stop [0]"));

    /** The names of {@link #ALL}. */
    public static List<String> names() {
        return ALL.stream().map(ConfigKey::name).toList();
    }

    /** The reference as {@code --help} shows it: one key per entry, its meaning beside it, wrapped at {@code width}. */
    public static String helpText(int width) {
        int indent = ALL.stream().mapToInt(key -> key.name().length()).max().orElse(0) + 4;
        StringBuilder text = new StringBuilder(String.format("%nKeys of <config-dir>/<vmid>.conf ('key = value' "
                + "lines, '#' comments; defaults in brackets):%n"));
        for (ConfigKey key : ALL) {
            StringBuilder line = new StringBuilder("  " + key.name());
            for (String word : key.meaning().split(" ")) {
                boolean first = line.length() < indent;
                if (!first && line.length() + 1 + word.length() > width) {
                    text.append(line).append(System.lineSeparator());
                    line = new StringBuilder();
                }
                line.append(" ".repeat(Math.max(first ? 0 : 1, indent - line.length()))).append(word);
            }
            text.append(line).append(System.lineSeparator());
        }
        return text.toString();
    }

    /** The reference as the man page has it (troff: {@code .TP}, the key in bold, its meaning). */
    public static String troff() {
        return ALL.stream().map(key -> ".TP\n.B " + key.name() + "\n" + key.meaning().replace("-", "\\-") + "\n")
                .collect(Collectors.joining());
    }
}
