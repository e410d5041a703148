package io.github.pveusbgadget.testing;

import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * qemu-server's parameter verification of the {@code qm set} keys pve-usb-gadget sets, as its JSON schema and
 * formats check them (PVE/QemuServer/USB.pm {@code pve-qm-usb}, PVE/QemuServer.pm {@code pve-qm-boot} and
 * {@code verify_bootdev}, {@code hookscript} as {@code pve-volume-id}): the fakes refuse what qemu-server refuses,
 * with its wording. The packaging/tests/fake-pve/qm stand-in checks the same.
 */
public final class QemuServerSchema {
    private static final Pattern USB_KEY = Pattern.compile("usb([0-9]|1[0-3])");
    private static final Pattern USB_HOST = Pattern.compile(
            "(0x)?[0-9A-Fa-f]{4}:(0x)?[0-9A-Fa-f]{4}|\\d+-\\d+(\\.\\d+)*|[Ss][Pp][Ii][Cc][Ee]");
    private static final Pattern CONFIG_ID = Pattern.compile("[a-z][a-z0-9_-]+", Pattern.CASE_INSENSITIVE);
    private static final Pattern BOOLEAN = Pattern.compile("1|0|on|off|yes|no|true|false");
    private static final Pattern BOOT_DEVICE = Pattern.compile("ide[0-3]|sata[0-5]|scsi([0-9]|[12][0-9]|30)"
            + "|virtio([0-9]|1[0-5])|net([0-9]|[12][0-9]|3[01])|usb([0-9]|1[0-3])|hostpci([0-9]|1[0-5])");
    private static final Pattern VOLUME_ID = Pattern.compile("[a-z][a-z0-9._-]*[a-z0-9]:.+",
            Pattern.CASE_INSENSITIVE);
    private static final Set<String> OTHER_KEYS = Set.of("name", "memory", "cores", "sockets", "ostype", "machine",
            "description", "onboot", "hookscript", "boot");

    private QemuServerSchema() {
    }

    /** Whether {@code qm set --KEY} exists (for the keys the tests meet). */
    public static boolean knownKey(String key) {
        return USB_KEY.matcher(key).matches() || OTHER_KEYS.contains(key);
    }

    /** What qemu-server's verification says about {@code --key value}; empty when it passes. */
    public static Optional<String> verify(String key, String value) {
        if (!knownKey(key)) {
            return Optional.of(key + ": property is not defined in schema and the schema does not allow additional "
                    + "properties");
        }
        if (USB_KEY.matcher(key).matches()) {
            return propertyString(key, value, "host", (k, v) -> switch (k) {
                case "host" -> USB_HOST.matcher(v).matches() ? null : "value does not match the regex pattern";
                case "mapping" -> CONFIG_ID.matcher(v).matches() ? null : "invalid configuration ID '" + v + "'";
                case "usb3" -> BOOLEAN.matcher(v.toLowerCase(Locale.ROOT)).matches() ? null
                        : "type check ('boolean') failed - got '" + v + "'";
                default -> "property is not defined in schema and the schema does not allow additional properties";
            });
        }
        if (key.equals("boot")) {
            return propertyString(key, value, "legacy", (k, v) -> switch (k) {
                case "legacy" -> v.matches("[acdn]{1,4}") ? null : "value does not match the regex pattern";
                case "order" -> {
                    for (String device : v.split(";")) {
                        if (!BOOT_DEVICE.matcher(device).matches()) {
                            yield "invalid boot device '" + device + "'";
                        }
                    }
                    yield null;
                }
                default -> "property is not defined in schema and the schema does not allow additional properties";
            });
        }
        if (key.equals("hookscript") && !VOLUME_ID.matcher(value).matches()) {
            return Optional.of("hookscript: unable to parse volume ID '" + value + "'");
        }
        return Optional.empty();
    }

    private interface Property {
        /** The error for {@code key=value}, null when fine. */
        String check(String key, String value);
    }

    /** PVE::JSONSchema::parse_property_string: {@code k=v} parts, a bare value for the default key, no duplicates. */
    private static Optional<String> propertyString(String option, String value, String defaultKey, Property check) {
        Set<String> seen = new HashSet<>();
        for (String part : value.split(",", -1)) {
            int eq = part.indexOf('=');
            String k = eq < 0 ? defaultKey : part.substring(0, eq);
            String v = eq < 0 ? part : part.substring(eq + 1);
            if (!seen.add(k)) {
                return Optional.of(option + ": invalid format - duplicate key in comma-separated list property: " + k);
            }
            String error = check.check(k, v);
            if (error != null) {
                return Optional.of(option + ": invalid format - " + option + "." + k + ": " + error);
            }
        }
        return Optional.empty();
    }
}
