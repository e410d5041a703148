package io.github.pveusbgadget.module;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A kernel release name as {@code uname -r} prints it, and what its name says: the upstream version it is built
 * from and the package with its headers.
 *
 * <ul>
 *   <li>Proxmox: {@code 6.8.12-4-pve}, {@code 6.14.8-2-pve}, {@code 6.17.2-1-pve}: {@code X.Y.Z-N-pve}, Z is the
 *       upstream sublevel; headers in {@code proxmox-headers-<release>}.</li>
 *   <li>Debian since 6.12: {@code 6.12.57+deb12-amd64}, {@code 7.2.12+deb13-amd64}: {@code X.Y.Z+debNN-flavour},
 *       Z is the upstream sublevel; headers in {@code linux-headers-<release>}.</li>
 *   <li>Debian's older ABI names: {@code 6.1.0-41-amd64}: {@code X.Y.0-ABI-flavour}, where {@code .0} is not the
 *       sublevel (6.1.0-41 is Linux 6.1.158 or so): only the headers' {@code version.h} tells it.</li>
 *   <li>Anything else starting {@code X.Y[.Z]}: taken at its word, as {@code prepare-source.sh} does.</li>
 * </ul>
 */
public record KernelRelease(String name) {
    private static final Pattern PROXMOX = Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)-\\d+-pve(?:-.*)?");
    private static final Pattern DEBIAN_ABI = Pattern.compile("(\\d+)\\.(\\d+)\\.0-\\d+-[a-z0-9][a-z0-9-]*");
    private static final Pattern LEADING = Pattern.compile("(\\d+)\\.(\\d+)(?:\\.(\\d+))?.*");

    /** Refuses what cannot be a kernel release (a path, an option, blanks): it becomes part of paths. */
    public KernelRelease {
        if (!name.matches("[0-9][A-Za-z0-9._+~-]*")) {
            throw new IllegalArgumentException("not a kernel release name: " + name);
        }
    }

    public boolean isProxmox() {
        return PROXMOX.matcher(name).matches();
    }

    /** A Debian ABI name ({@code 6.1.0-41-amd64}), which does not say the upstream sublevel. */
    public boolean hidesSublevel() {
        return !isProxmox() && DEBIAN_ABI.matcher(name).matches();
    }

    /** The upstream version the name says; only the series where it {@linkplain #hidesSublevel hides the sublevel}. */
    public Optional<UpstreamVersion> upstreamFromName() {
        Matcher m = LEADING.matcher(name);
        if (!m.matches()) {
            return Optional.empty();
        }
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        if (hidesSublevel()) {
            return Optional.of(UpstreamVersion.series(major, minor));
        }
        return Optional.of(UpstreamVersion.of(major, minor, m.group(3) == null ? 0 : Integer.parseInt(m.group(3))));
    }

    /** The package with this kernel's headers: {@code proxmox-headers-K} or {@code linux-headers-K}. */
    public String headersPackage() {
        return (isProxmox() ? "proxmox-headers-" : "linux-headers-") + name;
    }

    @Override
    public String toString() {
        return name;
    }
}
