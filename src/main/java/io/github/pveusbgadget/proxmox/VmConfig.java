package io.github.pveusbgadget.proxmox;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of a Proxmox VM configuration ({@code qm config <vmid>} output) this tool cares about: USB
 * passthrough entries, the boot order and the hookscript.
 */
public final class VmConfig {
    private static final Pattern LINE = Pattern.compile("^([a-z0-9_-]+):\\s*(.*)$");
    private static final Pattern USB_HOST = Pattern.compile("(?:^|,)(?:host=)?([0-9a-fA-F]{4}):([0-9a-fA-F]{4})(?:,|$)");

    private final Map<String, String> options;

    private VmConfig(Map<String, String> options) {
        this.options = options;
    }

    /** Parses the current section of {@code qm config} output (snapshots, in later sections, are ignored). */
    public static VmConfig parse(String text) {
        Map<String, String> options = new LinkedHashMap<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("[")) {
                break;
            }
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                options.putIfAbsent(m.group(1), m.group(2).strip());
            }
        }
        return new VmConfig(options);
    }

    /** The {@code usbN} key whose {@code host=} is {@code vendor:product} (lower-case hex), if any. */
    public Optional<String> usbSlotFor(String usbId) {
        return usbSlotFor(usbId, java.util.Set.of());
    }

    /**
     * The {@code usbN} key that passes {@code usbId} through: by {@code host=vendor:product}, or by
     * {@code mapping=ID} with ID one of {@code mappings} (the USB resource mappings that map {@code usbId}).
     */
    public Optional<String> usbSlotFor(String usbId, java.util.Set<String> mappings) {
        for (Map.Entry<String, String> option : options.entrySet()) {
            if (option.getKey().matches("usb[0-9]+") && passes(option.getValue(), usbId, mappings)) {
                return Optional.of(option.getKey());
            }
        }
        return Optional.empty();
    }

    /** Whether the {@code usbN} value {@code usbValue} passes {@code usbId} through (directly or by a mapping). */
    public static boolean passes(String usbValue, String usbId, java.util.Set<String> mappings) {
        return mappingOf(usbValue).map(mappings::contains).orElse(false)
                || (mappingOf(usbValue).isEmpty() && usbIdOf(usbValue).equals(Optional.of(usbId)));
    }

    /** The USB resource mapping an {@code usbN} value names ({@code mapping=ID}), if any. */
    public static Optional<String> mappingOf(String usbValue) {
        return Pvesh.property(usbValue, "mapping");
    }

    /** Whether some {@code usbN} uses a USB resource mapping. */
    public boolean usesUsbMappings() {
        return usbEntries().values().stream().anyMatch(v -> mappingOf(v).isPresent());
    }

    /** The devices of {@code boot: order=a;b;c}, in order. */
    public java.util.List<String> bootOrder() {
        String boot = options.getOrDefault("boot", "");
        for (String part : boot.split(",")) {
            if (part.startsWith("order=")) {
                return java.util.List.of(part.substring("order=".length()).split(";"));
            }
        }
        return java.util.List.of();
    }

    public Optional<String> hookscript() {
        return Optional.ofNullable(options.get("hookscript"));
    }

    /** The value of option {@code key} ({@code scsi0}, {@code boot}, ...), if set. */
    public Optional<String> get(String key) {
        return Optional.ofNullable(options.get(key));
    }

    /** Every option key, in the order {@code qm config} printed them. */
    public java.util.Set<String> keys() {
        return java.util.Collections.unmodifiableSet(options.keySet());
    }

    /** The {@code usbN} entries by slot number, lowest first. */
    public java.util.SortedMap<Integer, String> usbEntries() {
        java.util.SortedMap<Integer, String> entries = new java.util.TreeMap<>();
        options.forEach((key, value) -> {
            if (key.matches("usb[0-9]{1,2}")) {
                entries.put(Integer.parseInt(key.substring(3)), value);
            }
        });
        return entries;
    }

    /** The {@code vendor:product} (lower-case hex) an {@code usbN} value passes through, if it names one. */
    public static Optional<String> usbIdOf(String usbValue) {
        Matcher m = USB_HOST.matcher(usbValue);
        return m.find() ? Optional.of((m.group(1) + ":" + m.group(2)).toLowerCase(Locale.ROOT)) : Optional.empty();
    }
}
