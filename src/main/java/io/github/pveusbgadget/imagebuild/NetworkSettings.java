package io.github.pveusbgadget.imagebuild;

import io.github.pveusbgadget.ToolException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The network settings {@code image create} writes into {@code config/network.cfg}: DHCP, or a static IPv4 address
 * with the keys the write-up names ({@code USE_DHCP}, {@code IPADDR}, {@code NETMASK}, {@code GATEWAY},
 * {@code DNS_SERVER1}).
 */
public final class NetworkSettings {
    public static final String FILE = "config/network.cfg";
    private static final Pattern LINE = Pattern.compile("^\\s*([A-Z_0-9]+)(\\[0\\])?\\s*=.*$");

    private final Map<String, String> values;

    private NetworkSettings(Map<String, String> values) {
        this.values = values;
    }

    /** From the command line: {@code mode} is {@code dhcp} or {@code static}; null mode means leave the zip's file. */
    public static NetworkSettings of(String mode, String address, String gateway, String dns) {
        if (mode == null) {
            if (address != null || gateway != null || dns != null) {
                throw ToolException.badInput("--address, --gateway and --dns need --network static");
            }
            return null;
        }
        Map<String, String> values = new LinkedHashMap<>();
        switch (mode) {
            case "dhcp" -> {
                if (address != null || gateway != null) {
                    throw ToolException.badInput("--address and --gateway go with --network static, not dhcp");
                }
                values.put("USE_DHCP", "yes");
                if (dns != null) {
                    values.put("DNS_SERVER1", ipv4("--dns", dns));
                }
            }
            case "static" -> {
                if (address == null || gateway == null) {
                    throw ToolException.badInput("--network static needs --address A/PREFIX and --gateway G "
                            + "(and optionally --dns D)");
                }
                Matcher m = Pattern.compile("([^/]+)/(\\d{1,2})").matcher(address);
                if (!m.matches()) {
                    throw ToolException.badInput("--address '" + address + "' must be an IPv4 address with a prefix "
                            + "length, e.g. 192.168.1.50/24");
                }
                String ip = ipv4("--address", m.group(1));
                int prefix = Integer.parseInt(m.group(2));
                if (prefix < 1 || prefix > 30) {
                    throw ToolException.badInput("--address '" + address + "': prefix length must be 1 to 30");
                }
                String gw = ipv4("--gateway", gateway);
                long mask = prefix == 0 ? 0 : (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
                if ((toLong(ip) & mask) != (toLong(gw) & mask)) {
                    throw ToolException.badInput("--gateway " + gw + " is not in the network of --address " + address);
                }
                if (ip.equals(gw)) {
                    throw ToolException.badInput("--gateway " + gw + " is the same as --address");
                }
                long host = toLong(ip) & ~mask & 0xFFFFFFFFL;
                if (host == 0 || host == (~mask & 0xFFFFFFFFL)) {
                    throw ToolException.badInput("--address " + address + " is the network or broadcast address");
                }
                values.put("USE_DHCP", "no");
                values.put("IPADDR", ip);
                values.put("NETMASK", fromLong(mask));
                values.put("GATEWAY", gw);
                values.put("DNS_SERVER1", dns == null ? gw : ipv4("--dns", dns));
            }
            default -> throw ToolException.badInput("--network '" + mode + "' must be dhcp or static");
        }
        return new NetworkSettings(values);
    }

    public Map<String, String> values() {
        return Map.copyOf(values);
    }

    /**
     * The zip's {@code network.cfg} ({@code existing}, may be null) with our keys set: an existing {@code KEY=} or
     * {@code KEY[0]=} line gets the new value in place, missing keys are appended; everything else is kept.
     */
    public String render(String existing) {
        List<String> out = new ArrayList<>();
        Map<String, String> missing = new LinkedHashMap<>(values);
        if (existing == null || existing.isBlank()) {
            out.add("# Generated settings: written by pve-usb-gadget image create");
        } else {
            for (String line : existing.replace("\r\n", "\n").split("\n", -1)) {
                Matcher m = LINE.matcher(line);
                if (m.matches() && values.containsKey(m.group(1))) {
                    String key = m.group(1) + (m.group(2) == null ? "" : m.group(2));
                    out.add(key + "=\"" + values.get(m.group(1)) + "\"");
                    missing.remove(m.group(1));
                } else {
                    out.add(line);
                }
            }
            while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
                out.remove(out.size() - 1);
            }
        }
        missing.forEach((key, value) -> out.add(key + "=\"" + value + "\""));
        // unRAID writes its .cfg files with DOS line ends; keep the zip's line ends, DOS ones for a new file.
        String eol = existing != null && !existing.isBlank() && !existing.contains("\r\n") ? "\n" : "\r\n";
        return String.join(eol, out) + eol;
    }

    private static String ipv4(String option, String text) {
        String[] parts = text.split("\\.", -1);
        boolean ok = parts.length == 4;
        for (int i = 0; ok && i < 4; i++) {
            ok = parts[i].matches("\\d{1,3}") && Integer.parseInt(parts[i]) <= 255;
        }
        if (!ok) {
            throw ToolException.badInput(option + " '" + text + "' is not an IPv4 address like 192.168.1.1");
        }
        return fromLong(toLong(text));
    }

    private static long toLong(String ip) {
        long value = 0;
        for (String part : ip.split("\\.")) {
            value = (value << 8) | Integer.parseInt(part);
        }
        return value;
    }

    private static String fromLong(long v) {
        return ((v >> 24) & 255) + "." + ((v >> 16) & 255) + "." + ((v >> 8) & 255) + "." + (v & 255);
    }
}
