package io.github.pveusbgadget.module;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings {@code prepare-source.sh} works with, taken the way it takes them: the process environment for
 * {@code DUMMY_HCD_SOURCE}, {@code DUMMY_HCD_URL_TEMPLATE}, {@code DUMMY_HCD_OFFLINE} and {@code DUMMY_HCD_CACHE},
 * else {@code /etc/default/pve-usb-gadget-dummy-hcd}, else {@code source.conf} of the DKMS source, else defaults.
 * The files are shell; this reads their plain {@code NAME=value} lines (quoted or not), which is what they hold.
 */
public final class SourceSettings {
    /** What the environment may override over the settings file (prepare-source.sh's list). */
    private static final List<String> FROM_ENVIRONMENT = List.of("DUMMY_HCD_SOURCE", "DUMMY_HCD_URL_TEMPLATE",
            "DUMMY_HCD_OFFLINE", "DUMMY_HCD_CACHE");
    private static final Pattern ASSIGNMENT = Pattern.compile(
            "^\\s*(?:export\\s+)?([A-Z_][A-Z0-9_]*)=(?:\"([^\"]*)\"|'([^']*)'|([^\\s#;]*))\\s*(?:#.*)?$");

    private final Map<String, String> values;

    private SourceSettings(Map<String, String> values) {
        this.values = values;
    }

    public static SourceSettings read(ModuleRoots roots, Map<String, String> environment) {
        Map<String, String> values = new HashMap<>(assignments(roots.dkmsSource().resolve("source.conf")));
        environment.forEach((name, value) -> {
            if (name.startsWith("DUMMY_HCD_")) {
                values.put(name, value); // the settings file, sourced later, wins over these ...
            }
        });
        values.putAll(assignments(roots.settings()));
        for (String name : FROM_ENVIRONMENT) { // ... except over these
            if (environment.containsKey(name)) {
                values.put(name, environment.get(name));
            }
        }
        values.putIfAbsent("DUMMY_HCD_URL_TEMPLATE", values.getOrDefault("DUMMY_HCD_URL_TEMPLATE_DEFAULT", ""));
        return new SourceSettings(values);
    }

    /** {@code NAME=value} lines of a shell settings file; none when it is missing or unreadable. */
    static Map<String, String> assignments(Path file) {
        Map<String, String> values = new HashMap<>();
        if (!Files.isReadable(file)) {
            return values;
        }
        try {
            for (String line : Files.readAllLines(file)) {
                Matcher m = ASSIGNMENT.matcher(line);
                if (m.matches()) {
                    String value = m.group(2) != null ? m.group(2) : m.group(3) != null ? m.group(3) : m.group(4);
                    values.put(m.group(1), value);
                }
            }
        } catch (IOException e) {
            return Map.of();
        }
        return values;
    }

    private Optional<String> get(String name) {
        return Optional.ofNullable(values.get(name)).filter(v -> !v.isEmpty());
    }

    /** {@code DUMMY_HCD_SOURCE}: a file, kernel tree or tarball that wins over everything else. */
    public Optional<String> source() {
        return get("DUMMY_HCD_SOURCE");
    }

    public Optional<String> kernelVersionOverride() {
        return get("DUMMY_HCD_KERNEL_VERSION");
    }

    public String linuxSourceDir() {
        return get("DUMMY_HCD_LINUX_SOURCE_DIR").orElse("/usr/src");
    }

    public String cacheDir() {
        return get("DUMMY_HCD_CACHE").orElse("/var/cache/pve-usb-gadget-dummy-hcd");
    }

    /** Whether {@code prepare-source.sh} would try a download (not offline, a URL template set). */
    public boolean downloads() {
        return !"1".equals(values.get("DUMMY_HCD_OFFLINE")) && get("DUMMY_HCD_URL_TEMPLATE").isPresent();
    }

    /** The download host, for the message ({@code git.kernel.org}). */
    public String downloadHost() {
        return get("DUMMY_HCD_URL_TEMPLATE").map(u -> u.replaceFirst("^[a-z]+://([^/]+).*$", "$1")).orElse("");
    }
}
