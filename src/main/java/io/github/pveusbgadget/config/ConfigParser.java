package io.github.pveusbgadget.config;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.host.NativePaths;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The strict parser of {@code <vmid>.conf}: {@code key = value} lines, {@code #} comment lines, blank lines.
 * Unknown keys, duplicate keys and bad values are errors naming the file, the line and the key, because a typo
 * in a hook's configuration must never silently become a default.
 */
public final class ConfigParser {
    /** Every key PRODUCT.md defines, in the order {@code init} writes them. */
    public static final List<String> KEYS = ConfigKey.names();

    private static final Pattern KEY = Pattern.compile("[a-z_]+");
    private static final Pattern HEX_ID = Pattern.compile("0[xX][0-9a-fA-F]+");
    private static final Pattern SERIAL = Pattern.compile("[0-9A-Za-z]{1,126}");
    private static final Pattern ALL_ZEROS = Pattern.compile("0+");
    private static final int MAX_LINE = 4096;
    private static final int MAX_USB_STRING = 126;

    /** One {@code key = value} line as read. */
    private record Entry(int line, String value) {
    }

    /** Parses {@code text}, the content of {@code file}, as the configuration of {@code vmId}. */
    public GadgetConfig parse(VmId vmId, Path file, String text) {
        Map<String, Entry> entries = readEntries(file, text);
        Values values = new Values(file, entries);
        Path image = values.required("image", v -> parseImage(file, v));
        int vendor = values.optional("vendor_id", ConfigParser::parseHexId).orElse(GadgetConfig.DEFAULT_VENDOR_ID);
        Integer productId = values.required("product_id", ConfigParser::parseHexId);
        String serial = values.required("serial", ConfigParser::parseSerial);
        return new GadgetConfig(
                vmId, file, image, new UsbId(vendor, productId), serial,
                values.optional("manufacturer", v -> usbString(v)).orElse(GadgetConfig.DEFAULT_MANUFACTURER),
                values.optional("product", v -> usbString(v)).orElse(GadgetConfig.DEFAULT_PRODUCT),
                values.optional("inquiry_vendor", v -> inquiry(v, 8)).orElse(GadgetConfig.DEFAULT_INQUIRY_VENDOR),
                values.optional("inquiry_product", v -> inquiry(v, 16)).orElse(GadgetConfig.DEFAULT_INQUIRY_PRODUCT),
                values.optional("inquiry_revision", v -> inquiry(v, 4)).orElse(GadgetConfig.DEFAULT_INQUIRY_REVISION),
                values.optional("read_only", ConfigParser::parseBoolean).orElse(false),
                values.optional("removable", ConfigParser::parseBoolean).orElse(true),
                values.optional("cdrom", ConfigParser::parseBoolean).orElse(false),
                values.optional("nofua", ConfigParser::parseBoolean).orElse(false),
                values.optional("max_speed", ConfigParser::parseSpeed),
                values.optional("enumerate_timeout", ConfigParser::parseTimeout)
                        .orElse(GadgetConfig.DEFAULT_ENUMERATE_TIMEOUT),
                values.optional("backup_keep", ConfigParser::parseBackupKeep).orElse(0));
    }

    private static Map<String, Entry> readEntries(Path file, String text) {
        Map<String, Entry> entries = new LinkedHashMap<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int number = i + 1;
            String line = lines[i];
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            if (line.length() > MAX_LINE) {
                throw error(file, number, null, "line is longer than " + MAX_LINE + " characters");
            }
            int equals = trimmed.indexOf('=');
            if (equals < 0) {
                throw error(file, number, null, "expected 'key = value', found '" + shorten(trimmed) + "'");
            }
            String key = trimmed.substring(0, equals).strip();
            String value = trimmed.substring(equals + 1).strip();
            if (!KEY.matcher(key).matches() || !KEYS.contains(key)) {
                throw error(file, number, shorten(key), "unknown key; known keys are " + String.join(", ", KEYS));
            }
            Entry previous = entries.putIfAbsent(key, new Entry(number, value));
            if (previous != null) {
                throw error(file, number, key, "duplicate key, already set on line " + previous.line());
            }
        }
        return entries;
    }

    /** Looks up entries and turns a value's parse failure into an error naming file, line and key. */
    private static final class Values {
        private final Path file;
        private final Map<String, Entry> entries;

        Values(Path file, Map<String, Entry> entries) {
            this.file = file;
            this.entries = entries;
        }

        <T> Optional<T> optional(String key, Function<String, T> parse) {
            Entry entry = entries.get(key);
            if (entry == null) {
                return Optional.empty();
            }
            try {
                return Optional.of(parse.apply(entry.value()));
            } catch (IllegalArgumentException e) {
                throw error(file, entry.line(), key, e.getMessage());
            }
        }

        <T> T required(String key, Function<String, T> parse) {
            return optional(key, parse).orElseThrow(() -> ToolException.badInput(
                    file + ": required key '" + key + "' is missing; add a line '" + key + " = ...'"
                            + ("product_id".equals(key) || "serial".equals(key)
                            ? " (or create the file with 'pve-usb-gadget init')" : "")));
        }
    }

    private static ToolException error(Path file, int line, String key, String problem) {
        return ToolException.badInput(file + ":" + line + ": " + (key == null ? "" : key + ": ") + problem);
    }

    private static Path parseImage(Path file, String value) {
        return checkImagePath(file.getFileSystem(), value);
    }

    /** {@code value} as a path if it is a usable {@code image}: absolute, printable, no {@code .} or {@code ..} parts. */
    static Path checkImagePath(FileSystem fileSystem, String value) {
        if (value.isEmpty()) {
            throw new IllegalArgumentException("is empty; give the absolute path of an image file or block device");
        }
        if (!value.startsWith("/")) {
            throw new IllegalArgumentException("'" + shorten(value) + "' is not an absolute path");
        }
        if (value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException("contains control characters");
        }
        for (String part : value.split("/")) {
            if (part.equals("..") || part.equals(".")) {
                throw new IllegalArgumentException("'" + shorten(value) + "' contains '" + part
                        + "'; write the path without . or .. components");
            }
        }
        return NativePaths.get(fileSystem, value); // a clear refusal where the locale cannot name it
    }

    static int parseHexId(String value) {
        if (!HEX_ID.matcher(value).matches()) {
            throw new IllegalArgumentException("'" + shorten(value) + "' is not a hex id like 0x1d6b");
        }
        String digits = value.substring(2).replaceFirst("^0+(?=.)", "");
        if (digits.length() > 4) {
            throw new IllegalArgumentException("'" + shorten(value) + "' is too large: USB ids are 16-bit, at most "
                    + "0xffff");
        }
        int id = Integer.parseInt(digits, 16);
        if (id == 0) {
            throw new IllegalArgumentException("0x0000 is not a valid USB id");
        }
        return id;
    }

    static String parseSerial(String value) {
        if (!SERIAL.matcher(value).matches()) {
            throw new IllegalArgumentException("'" + shorten(value) + "' must be 1 to 126 characters of 0-9, A-Z, a-z");
        }
        if (ALL_ZEROS.matcher(value).matches()) {
            throw new IllegalArgumentException("must not be all zeros");
        }
        return value;
    }

    private static String usbString(String value) {
        if (value.isEmpty() || value.length() > MAX_USB_STRING) {
            throw new IllegalArgumentException("must be 1 to " + MAX_USB_STRING + " characters");
        }
        requirePrintableAscii(value);
        return value;
    }

    private static String inquiry(String value, int max) {
        if (value.length() > max) {
            throw new IllegalArgumentException("'" + shorten(value) + "' is longer than " + max + " characters");
        }
        requirePrintableAscii(value);
        return value;
    }

    private static void requirePrintableAscii(String value) {
        if (value.chars().anyMatch(c -> c < 0x20 || c > 0x7e)) {
            throw new IllegalArgumentException("must be printable ASCII");
        }
    }

    static boolean parseBoolean(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw new IllegalArgumentException("'" + shorten(value) + "' is not a boolean (true or false)");
        };
    }

    private static MaxSpeed parseSpeed(String value) {
        for (MaxSpeed speed : MaxSpeed.values()) {
            if (speed.configName().equals(value)) {
                return speed;
            }
        }
        throw new IllegalArgumentException("'" + shorten(value) + "' is not 'high' or 'super'");
    }

    private static Duration parseTimeout(String value) {
        if (!value.matches("[0-9]{1,4}") || Integer.parseInt(value) < 1 || Integer.parseInt(value) > 600) {
            throw new IllegalArgumentException("'" + shorten(value) + "' is not a number of seconds from 1 to 600");
        }
        return Duration.ofSeconds(Integer.parseInt(value));
    }

    private static int parseBackupKeep(String value) {
        if (!value.matches("[0-9]{1,3}")) {
            throw new IllegalArgumentException("'" + shorten(value) + "' is not a number of backups from 0 to 999");
        }
        return Integer.parseInt(value);
    }

    /** Keeps messages one short, printable line whatever the input was. */
    static String shorten(String value) {
        StringBuilder out = new StringBuilder();
        value.codePoints().limit(60).forEach(c -> out.append(c >= 0x20 && c < 0x7f ? Character.toString(c) : "?"));
        return value.length() > 60 ? out + "..." : out.toString();
    }
}
