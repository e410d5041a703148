package io.github.pveusbgadget.module;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Our DKMS module ({@code pve-usb-gadget-dummy-hcd/1.0}, from the pom's {@code dkms.name}/{@code dkms.version},
 * which {@code PackagingConsistencyTest} holds equal to {@code module-src/dkms.conf}), the {@code dkms} command lines
 * for it, and the reading of {@code dkms status}.
 */
public record DkmsModule(String name, String version) {
    /**
     * A line of {@code dkms status}: {@code name/ver, kernel, arch: state} (dkms 3), {@code name, ver, kernel, arch:
     * state} (dkms 2), possibly followed by a warning in parentheses.
     */
    private static final Pattern STATUS = Pattern.compile(
            "^\\s*[^,/:]+[/,]\\s*[^,:]+,\\s*([^,:]+),\\s*([^,:]+):\\s*([A-Za-z]+).*$", Pattern.MULTILINE);

    /** The module this build of the tool was packaged with. */
    public static DkmsModule packaged() {
        try (InputStream in = DkmsModule.class.getResourceAsStream("dkms.properties")) {
            Properties properties = new Properties();
            properties.load(in);
            return new DkmsModule(properties.getProperty("name"), properties.getProperty("version"));
        } catch (IOException | NullPointerException e) {
            throw new UncheckedIOException(new IOException("dkms.properties missing from the jar", e));
        }
    }

    /** {@code name/version}, as dkms 3 writes it. */
    public String id() {
        return name + "/" + version;
    }

    /** Where {@code dkms add} keeps the module: {@code /var/lib/dkms/<name>/<version>}. */
    public String treeDirectory(String dkmsTree) {
        return dkmsTree + "/" + name + "/" + version;
    }

    public List<String> statusCommand() {
        return List.of("dkms", "status", "-m", name, "-v", version);
    }

    public List<String> addCommand() {
        return List.of("dkms", "add", "-m", name, "-v", version);
    }

    /** {@code --force}: rebuild (dkms unbuilds first) even when built, so a new {@code --source} takes effect. */
    public List<String> buildCommand(KernelRelease kernel) {
        return List.of("dkms", "build", "-m", name, "-v", version, "-k", kernel.name(), "--force");
    }

    /** {@code --force}: replace an installed build (from another source) for that kernel. */
    public List<String> installCommand(KernelRelease kernel) {
        return List.of("dkms", "install", "-m", name, "-v", version, "-k", kernel.name(), "--force");
    }

    /** What an admin types to build and install it by hand for {@code kernel}. */
    public String installByHand(KernelRelease kernel) {
        return "dkms install " + id() + " -k " + kernel.name();
    }

    /** Kernel name → state ({@code built}, {@code installed}, ...) from the output of {@link #statusCommand()}. */
    public static Map<String, String> parseStatus(String output) {
        Map<String, String> states = new HashMap<>();
        Matcher m = STATUS.matcher(output);
        while (m.find()) {
            states.put(m.group(1).strip(), m.group(3).toLowerCase(Locale.ROOT));
        }
        return states;
    }
}
