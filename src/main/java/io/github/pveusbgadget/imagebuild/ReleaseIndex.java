package io.github.pveusbgadget.imagebuild;

import static io.github.pveusbgadget.json.JsonTree.text;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.json.JsonTree;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * unRAID's release index, as its own tooling reads it: a JSON array of releases ({@code version}, {@code name},
 * {@code basefile}, {@code date}, {@code url}, {@code changelog}, {@code md5}, {@code size}, {@code sha256}, and
 * {@code branch}), or an object of such arrays by branch ({@code {"stable": [...], "next": [...]}}). Fields it does
 * not know are ignored; a release without a url or a checksum, or marked {@code "downloadable": false}, is skipped.
 * Prereleases (betas, release candidates, a branch other than stable) are on offer only when asked for: unRAID's
 * index lists them with {@code ?includePublic=1}.
 */
public final class ReleaseIndex {
    /** unRAID's public index: the URL unRAID's and third-party tooling read; override with --index-url. */
    public static final String DEFAULT_URL = "https://releases.unraid.net/json";
    /** The query unRAID's index answers with its prereleases too. */
    static final String PRERELEASE_QUERY = "includePublic=1";

    private final String source;
    private final List<Release> releases;

    private ReleaseIndex(String source, List<Release> releases) {
        this.source = source;
        this.releases = releases;
    }

    /** One downloadable release. {@code md5} and {@code sha256} are lower-case hex or empty. */
    public record Release(String version, String date, String url, String md5, String sha256, long size,
                          String basefile, String branch) {
        /** A plain x.y.z release, not a beta or release candidate. */
        public boolean isStable() {
            return (branch.isEmpty() || branch.equalsIgnoreCase("stable"))
                    && version.matches("\\d+(\\.\\d+)*");
        }

        /** The zip's file name: {@code basefile}, else the last part of the url's path. */
        public String fileName() {
            String name = !basefile.isEmpty() ? basefile : url.replaceFirst("[?#].*$", "")
                    .replaceFirst("^.*/", "");
            name = name.replaceAll("[^A-Za-z0-9._+-]", "_");
            return name.isEmpty() || name.startsWith(".") ? "unRAIDServer-" + version + ".zip" : name;
        }
    }

    /** The index to read: {@code url}, asking for the prereleases too when {@code prerelease}. */
    public static String url(String url, boolean prerelease) {
        if (!prerelease || url.matches(".*[?&]" + PRERELEASE_QUERY + "(&.*)?$")) {
            return url;
        }
        int fragment = url.indexOf('#');
        String base = fragment < 0 ? url : url.substring(0, fragment);
        return base + (base.contains("?") ? "&" : "?") + PRERELEASE_QUERY
                + (fragment < 0 ? "" : url.substring(fragment));
    }

    public static ReleaseIndex parse(String source, String json) {
        List<Release> releases = new ArrayList<>();
        try {
            collect(JsonTree.parse(json), "", releases);
        } catch (IOException | RuntimeException e) {
            if (e instanceof ToolException tool) {
                throw tool;
            }
            throw ToolException.failed("release index " + source + " is not valid JSON: " + e.getMessage()
                    + "; check --index-url", e);
        }
        if (releases.isEmpty()) {
            throw ToolException.failed("release index " + source + " lists no downloadable release with a url and "
                    + "a checksum; check --index-url, or download the zip yourself and use --zip", null);
        }
        return new ReleaseIndex(source, releases);
    }

    public List<Release> releases() {
        return List.copyOf(releases);
    }

    /** The releases on offer, newest first: the stable ones, and the prereleases too when {@code prerelease}. */
    public List<Release> offered(boolean prerelease) {
        return releases.stream().filter(r -> prerelease || r.isStable())
                .sorted((a, b) -> compareVersions(b.version(), a.version())).toList();
    }

    /** The release {@code version} (exact, else with a leading "v" dropped); a prerelease only when asked for. */
    public Release version(String version, boolean prerelease) {
        String wanted = version.replaceFirst("^[vV]", "");
        Release found = releases.stream().filter(r -> r.version().equalsIgnoreCase(wanted)).findFirst()
                .orElseThrow(() -> ToolException.badInput("--version " + version + " is not in the release index "
                        + source + "; it has " + summary(prerelease)));
        if (!prerelease && !found.isStable()) {
            throw ToolException.badInput("--version " + version + " is a prerelease; add --prerelease to use it");
        }
        return found;
    }

    /** The newest release on offer: the newest stable one, or the newest of all when {@code prerelease}. */
    public Release latest(boolean prerelease) {
        List<Release> offered = offered(prerelease);
        if (offered.isEmpty()) {
            throw ToolException.failed("the release index " + source + " lists no stable release; add --prerelease "
                    + "for its prereleases, or use --zip", null);
        }
        return offered.get(0);
    }

    private String summary(boolean prerelease) {
        List<String> versions = offered(prerelease).stream().map(Release::version).toList();
        if (versions.isEmpty()) {
            return "no stable release (--prerelease for the others)";
        }
        return versions.size() <= 8 ? String.join(", ", versions)
                : String.join(", ", versions.subList(0, 8)) + " and " + (versions.size() - 8) + " older";
    }

    /** Orders 6.12.4 < 6.12.10 < 7.0.0-beta1 < 7.0.0-rc.1 < 7.0.0. */
    static int compareVersions(String a, String b) {
        List<Long> pa = parts(a);
        List<Long> pb = parts(b);
        for (int i = 0; i < Math.max(pa.size(), pb.size()); i++) {
            long x = i < pa.size() ? pa.get(i) : 0;
            long y = i < pb.size() ? pb.get(i) : 0;
            if (x != y) {
                return Long.compare(x, y);
            }
        }
        return 0;
    }

    private static List<Long> parts(String version) {
        List<Long> parts = new ArrayList<>();
        Matcher m = Pattern.compile("(\\d+)|(alpha|beta|rc)", Pattern.CASE_INSENSITIVE).matcher(version);
        boolean pre = false;
        while (m.find()) {
            if (m.group(1) != null) {
                parts.add(Long.parseLong(m.group(1)));
            } else {
                pre = true;
                parts.add(switch (m.group(2).toLowerCase(Locale.ROOT)) {
                    case "alpha" -> -3L;
                    case "beta" -> -2L;
                    default -> -1L;
                });
            }
        }
        if (!pre) {
            // A final release sorts after its pre-releases: 7.0.0 > 7.0.0-rc1 (7,0,0,-1,1).
            parts.add(0L);
        }
        return parts;
    }

    @SuppressWarnings("unchecked")
    private static void collect(Object node, String branch, List<Release> out) {
        if (node instanceof List<?> list) {
            list.forEach(item -> collect(item, branch, out));
        } else if (node instanceof Map<?, ?> map) {
            Map<String, Object> object = (Map<String, Object>) map;
            if (object.get("version") instanceof String && object.get("url") instanceof String) {
                release(object, branch).ifPresent(out::add);
                return;
            }
            object.forEach((key, value) -> collect(value, branch.isEmpty() ? key : branch, out));
        }
    }

    private static Optional<Release> release(Map<String, Object> o, String branch) {
        if (Boolean.FALSE.equals(o.get("downloadable")) || "false".equalsIgnoreCase(text(o, "downloadable"))) {
            return Optional.empty();
        }
        String url = text(o, "url");
        String md5 = text(o, "md5").toLowerCase(Locale.ROOT);
        String sha256 = text(o, "sha256").toLowerCase(Locale.ROOT);
        if (url.isEmpty() || (!md5.matches("[0-9a-f]{32}") && !sha256.matches("[0-9a-f]{64}"))) {
            return Optional.empty();
        }
        long size = o.get("size") instanceof Number n ? n.longValue()
                : text(o, "size").matches("\\d{1,18}") ? Long.parseLong(text(o, "size")) : -1;
        String ownBranch = text(o, "branch");
        return Optional.of(new Release(text(o, "version"), text(o, "date"), url,
                md5.matches("[0-9a-f]{32}") ? md5 : "", sha256.matches("[0-9a-f]{64}") ? sha256 : "", size,
                text(o, "basefile"), ownBranch.isEmpty() ? branch : ownBranch));
    }

}
