package io.github.pveusbgadget.imagebuild;

import io.github.pveusbgadget.plan.Shell;
import io.github.pveusbgadget.plan.Step;
import java.nio.file.Path;
import java.util.List;

/** Downloads a release zip into the cache and verifies its checksum (a verified cached one is reused). */
public record FetchZip(ZipDownloader downloader, ReleaseIndex.Release release, Path cache) implements Step<Object> {
    /** Where the zip ends up. */
    public Path target() {
        return cache.resolve(release.fileName());
    }

    @Override
    public String describe() {
        return "download " + release.url() + " to " + target();
    }

    @Override
    public List<String> shell() {
        String part = target() + ".part";
        return List.of("mkdir -p " + Shell.quote(cache),
                "curl -fL --progress-bar -o " + Shell.quote(part) + " " + Shell.quote(release.url()),
                Checksum.shellCheck(release, part),
                "mv " + Shell.quote(part) + " " + Shell.quote(target()));
    }

    @Override
    public void apply(Object context) {
        downloader.fetch(release, cache, zip -> BootChecksums.verify(zip, "the download of " + release.url(),
                downloader.progress()));
    }
}
