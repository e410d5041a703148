package io.github.pveusbgadget.imagebuild;

import io.github.pveusbgadget.host.CommandRunner;
import io.github.pveusbgadget.plan.Plan;
import io.github.pveusbgadget.plan.PlanExecutor;
import io.github.pveusbgadget.progress.Progress;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code image create}: where the zip comes from (a file, or a release downloaded into the cache), the checks, and
 * the plan of the build, printed ({@link #dryRun}) or applied ({@link #create}).
 */
public final class ImageCreation {
    /**
     * Where the zip comes from: {@code zip}, else release {@code version} or the latest of the index at
     * {@code indexUrl} (pre-releases too with {@code prerelease}), cached in {@code cache}.
     */
    public record Source(Path zip, String version, boolean latest, String indexUrl, boolean prerelease, Path cache) {
    }

    private final PrintWriter out;
    private final ImageBuilder builder;
    private final Progress progress;

    /**
     * @param tempRoot where the small files are unpacked ({@link ImageBuilder#tempRoot})
     * @param progress how the download and the build show progress ({@link Progress#NONE} off a terminal)
     */
    public ImageCreation(CommandRunner runner, PrintWriter out, Path tempRoot, Progress progress) {
        this.out = out;
        this.builder = new ImageBuilder(runner, out, tempRoot, progress);
        this.progress = progress;
    }

    /**
     * Where downloaded zips are kept: {@code /var/cache/pve-usb-gadget/unraid} for root, else below
     * {@code $XDG_CACHE_HOME} or {@code ~/.cache}.
     */
    public static Path defaultCacheDir(String user, Optional<String> xdgCacheHome, Path home) {
        if ("root".equals(user)) {
            return home.getFileSystem().getPath("/var/cache/pve-usb-gadget/unraid");
        }
        Path base = xdgCacheHome.map(home.getFileSystem()::getPath).orElseGet(() -> home.resolve(".cache"));
        return base.resolve("pve-usb-gadget").resolve("unraid");
    }

    /** The script of {@code image create}, changing nothing (a release is not downloaded). */
    public String dryRun(ImageRequest request, Source source) {
        Plan<ImageWork> plan = new Plan<>();
        Path zipPath = source.zip();
        if (zipPath == null) {
            FetchZip fetch = fetchStep(source, true);
            zipPath = fetch.target();
            if (!isVerified(fetch.release(), zipPath)) {
                return plan.add(fetch).addAll(builder.plan(request, zipPath, null)).toShellScript("image create");
            }
            plan.note("using the cached, verified " + zipPath);
        }
        try (UnraidZip zip = UnraidZip.open(zipPath)) {
            builder.check(request, zip, false);
            notes(request, source, zip, Progress.NONE).forEach(plan::note);
            return plan.addAll(builder.plan(request, zipPath, zip)).toShellScript("image create");
        }
    }

    /** Builds the image, downloading the release first if asked. */
    public void create(ImageRequest request, Source source) {
        Path zipPath = source.zip();
        if (zipPath == null) {
            FetchZip fetch = fetchStep(source, false);
            PlanExecutor.quiet(new Object()).apply("image create", new Plan<>().add(fetch));
            zipPath = fetch.target();
        }
        try (UnraidZip zip = UnraidZip.open(zipPath)) {
            builder.check(request, zip, true);
            // The notes verify the boot checksums: a refusal must come before anything is printed, so it is one line.
            List<String> notes = notes(request, source, zip, progress);
            out.println("zip " + zipPath + ": unRAID" + zip.version().map(v -> " " + v).orElse("") + " layout, "
                    + zip.fileCount() + " files, " + ByteSize.format(zip.contentBytes()));
            notes.forEach(out::println);
            builder.build(request, zip);
        }
    }

    /** What the user should know of the zip: its bz*.sha256 checks (of a --zip), and too little update room. */
    private static List<String> notes(ImageRequest request, Source source, UnraidZip zip, Progress progress) {
        List<String> notes = new ArrayList<>();
        if (source.zip() != null) {
            notes.add(BootChecksums.verify(zip, "--zip " + zip.source(), progress).account());
        }
        UpdateRoom.warning(request.size(), zip).ifPresent(w -> notes.add("warning: " + w));
        return notes;
    }

    private FetchZip fetchStep(Source source, boolean dryRun) {
        ZipDownloader downloader = new ZipDownloader(out, dryRun ? Progress.NONE : progress);
        ReleaseIndex index = downloader.index(source.indexUrl());
        ReleaseIndex.Release release = source.latest() ? index.latest(source.prerelease())
                : index.version(source.version(), source.prerelease());
        out.println((dryRun ? "# " : "") + "unRAID " + release.version()
                + (release.date().isEmpty() ? "" : " (" + release.date() + ")") + ": " + release.url());
        return new FetchZip(downloader, release, source.cache());
    }

    private static boolean isVerified(ReleaseIndex.Release release, Path zip) {
        try {
            return Files.isRegularFile(zip) && Checksum.check(release, Checksum.of(zip)).verified();
        } catch (IOException e) {
            return false;
        }
    }
}
