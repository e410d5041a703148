package io.github.pveusbgadget.module;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The upstream Linux version a kernel is built from ({@code 6.8.12}), or only its series ({@code 6.1}) when the
 * sublevel cannot be known. {@code prepare-source.sh} picks {@code dummy_hcd.c} by it.
 *
 * @param sublevel empty when nothing says it (a Debian name {@code 6.1.0-41-amd64} without its headers)
 */
public record UpstreamVersion(int major, int minor, OptionalInt sublevel) {
    private static final Pattern DEFINE = Pattern.compile("(?m)^#define (LINUX_VERSION_\\w+) (\\d+)\\s*$");
    private static final Pattern DOTTED = Pattern.compile("(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

    public static UpstreamVersion of(int major, int minor, int sublevel) {
        return new UpstreamVersion(major, minor, OptionalInt.of(sublevel));
    }

    public static UpstreamVersion series(int major, int minor) {
        return new UpstreamVersion(major, minor, OptionalInt.empty());
    }

    /** {@code X.Y.Z} or {@code X.Y} ({@code DUMMY_HCD_KERNEL_VERSION}, a tarball's name). */
    public static Optional<UpstreamVersion> parse(String text) {
        Matcher m = DOTTED.matcher(text.strip());
        if (!m.matches()) {
            return Optional.empty();
        }
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        return Optional.of(m.group(3) == null ? series(major, minor) : of(major, minor, Integer.parseInt(m.group(3))));
    }

    /**
     * The version in a kernel's {@code include/generated/uapi/linux/version.h}, read as {@code prepare-source.sh}
     * reads it: {@code LINUX_VERSION_MAJOR/PATCHLEVEL/SUBLEVEL} where the kernel writes them (5.13 and later), else
     * {@code LINUX_VERSION_CODE} (whose sublevel the kernel clamps to 255).
     */
    public static Optional<UpstreamVersion> fromVersionHeader(String header) {
        Integer major = null;
        Integer minor = null;
        Integer sub = null;
        Integer code = null;
        Matcher m = DEFINE.matcher(header);
        while (m.find()) {
            int value = Integer.parseInt(m.group(2));
            switch (m.group(1)) {
                case "LINUX_VERSION_MAJOR" -> major = value;
                case "LINUX_VERSION_PATCHLEVEL" -> minor = value;
                case "LINUX_VERSION_SUBLEVEL" -> sub = value;
                case "LINUX_VERSION_CODE" -> code = value;
                default -> { }
            }
        }
        if (major != null && minor != null && sub != null) {
            return Optional.of(of(major, minor, sub));
        }
        if (code != null) {
            return Optional.of(of(code >> 16, (code >> 8) & 255, code & 255));
        }
        return Optional.empty();
    }

    /** {@code 6.8}: what {@code linux-source-X.Y} is named after. */
    public String series() {
        return major + "." + minor;
    }

    public boolean sameSeries(UpstreamVersion other) {
        return major == other.major && minor == other.minor;
    }

    /**
     * The upstream tags {@code prepare-source.sh} looks for in its download cache (and downloads), in its order:
     * {@code v6.8.12} then {@code v6.8}; {@code v6.8} alone for a {@code .0} release.
     */
    public List<String> tags() {
        int sub = sublevel.orElse(0);
        return sub == 0 ? List.of("v" + series()) : List.of("v" + this, "v" + series());
    }

    @Override
    public String toString() {
        return sublevel.isPresent() ? series() + "." + sublevel.getAsInt() : series() + ".x";
    }
}
