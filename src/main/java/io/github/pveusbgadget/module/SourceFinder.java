package io.github.pveusbgadget.module;

import io.github.pveusbgadget.module.SourceChoice.Kind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Predicts, in {@code prepare-source.sh}'s order, where a build would take {@code dummy_hcd.c} from, so that
 * {@code module status} says it before anyone runs the build; and checks a {@code --source} the way the script
 * will.
 */
public final class SourceFinder {
    static final String IN_TREE = "drivers/usb/gadget/udc/dummy_hcd.c";
    private static final List<String> TARBALL_SUFFIXES = List.of(".tar.xz", ".tar.zst", ".tar.bz2", ".tar.gz", ".tar");
    private static final Pattern TARBALL = Pattern.compile(".*\\.(tar|tar\\..*|tgz|tbz2|txz)$");
    private static final Pattern NAMED_VERSION = Pattern.compile("linux(?:-source)?-(\\d+\\.\\d+(?:\\.\\d+)?)");

    private final FileSystem fs;
    private final SourceSettings settings;

    public SourceFinder(FileSystem fs, SourceSettings settings) {
        this.fs = fs;
        this.settings = settings;
    }

    /** What a build for a kernel of upstream {@code version} would use, given the settings. */
    public SourceChoice predict(UpstreamVersion version) {
        Optional<String> given = settings.source();
        if (given.isPresent()) {
            return checkGiven(fs.getPath(given.get()), "DUMMY_HCD_SOURCE");
        }
        Path srcDir = fs.getPath(settings.linuxSourceDir());
        String base = "linux-source-" + version.series();
        for (String suffix : TARBALL_SUFFIXES) {
            Path tarball = srcDir.resolve(base + suffix);
            if (Files.isRegularFile(tarball)) {
                return new SourceChoice(Kind.LINUX_SOURCE, tarball + ", if it holds " + IN_TREE,
                        Optional.of(UpstreamVersion.series(version.major(), version.minor())));
            }
        }
        Path tree = srcDir.resolve(base);
        if (Files.isRegularFile(tree.resolve(IN_TREE))) {
            return new SourceChoice(Kind.LINUX_SOURCE, tree + "/", treeVersion(tree));
        }
        Path cache = fs.getPath(settings.cacheDir());
        for (String tag : version.tags()) {
            Path cached = cache.resolve(tag).resolve("dummy_hcd.c");
            if (looksLikeDummyHcd(cached)) {
                return new SourceChoice(Kind.CACHE, "cache " + cached, UpstreamVersion.parse(tag.substring(1)));
            }
        }
        if (settings.downloads()) {
            return new SourceChoice(Kind.DOWNLOAD, "download of dummy_hcd.c " + version.tags().get(0) + " from "
                    + settings.downloadHost() + " (needs the network; kept in " + cache + ")",
                    UpstreamVersion.parse(version.tags().get(0).substring(1)));
        }
        return new SourceChoice(Kind.NONE, "none: no DUMMY_HCD_SOURCE, no " + srcDir.resolve(base) + ".tar.*, no "
                + cache.resolve(version.tags().get(0)).resolve("dummy_hcd.c") + ", downloads off", Optional.empty());
    }

    /**
     * A source given by the admin ({@code --source} or {@code DUMMY_HCD_SOURCE}): a {@code dummy_hcd.c}, a kernel
     * tree, or a kernel tarball (whose content only the build looks into).
     */
    public SourceChoice checkGiven(Path source, String by) {
        if (Files.isDirectory(source)) {
            if (Files.isRegularFile(source.resolve(IN_TREE))) {
                return new SourceChoice(Kind.GIVEN, by + " folder " + source, treeVersion(source));
            }
            if (looksLikeDummyHcd(source.resolve("dummy_hcd.c"))) {
                return new SourceChoice(Kind.GIVEN, by + " folder " + source, Optional.empty());
            }
            return new SourceChoice(Kind.BAD_GIVEN, by + "=" + source + " is a folder without " + IN_TREE
                    + " or dummy_hcd.c", Optional.empty());
        }
        if (Files.isRegularFile(source) && TARBALL.matcher(source.getFileName().toString()).matches()) {
            return new SourceChoice(Kind.GIVEN, by + " tarball " + source, namedVersion(source));
        }
        if (Files.isRegularFile(source)) {
            return looksLikeDummyHcd(source)
                    ? new SourceChoice(Kind.GIVEN, by + " file " + source, Optional.empty())
                    : new SourceChoice(Kind.BAD_GIVEN, by + "=" + source + " is not the kernel's dummy_hcd.c (no "
                            + "'struct dummy_hcd' and MODULE_LICENSE in it)", Optional.empty());
        }
        return new SourceChoice(Kind.BAD_GIVEN, by + "=" + source + " does not exist (give a dummy_hcd.c, a kernel "
                + "source folder or a kernel tarball)", Optional.empty());
    }

    /** prepare-source.sh's test of a file being dummy_hcd.c. */
    static boolean looksLikeDummyHcd(Path file) {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try {
            String text = Files.readString(file, StandardCharsets.ISO_8859_1);
            return text.contains("struct dummy_hcd") && text.contains("MODULE_LICENSE");
        } catch (IOException e) {
            return false;
        }
    }

    /** The version in a kernel tree's top Makefile. */
    private static Optional<UpstreamVersion> treeVersion(Path tree) {
        try {
            String makefile = Files.readString(tree.resolve("Makefile"), StandardCharsets.ISO_8859_1);
            String v = field(makefile, "VERSION");
            String p = field(makefile, "PATCHLEVEL");
            String s = field(makefile, "SUBLEVEL");
            return v == null || p == null ? Optional.empty()
                    : UpstreamVersion.parse(v + "." + p + "." + (s == null ? "0" : s));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String field(String makefile, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + " = (\\d+)").matcher(makefile);
        return m.find() ? m.group(1) : null;
    }

    /** {@code linux-6.8.12.tar.xz} → 6.8.12, {@code linux-source-6.1.tar.xz} → 6.1.x. */
    static Optional<UpstreamVersion> namedVersion(Path file) {
        Matcher m = NAMED_VERSION.matcher(file.getFileName().toString());
        return m.find() ? UpstreamVersion.parse(m.group(1)) : Optional.empty();
    }
}
