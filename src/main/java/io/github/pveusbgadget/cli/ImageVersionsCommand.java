package io.github.pveusbgadget.cli;

import io.github.pveusbgadget.imagebuild.ByteSize;
import io.github.pveusbgadget.imagebuild.ReleaseIndex;
import io.github.pveusbgadget.imagebuild.ZipDownloader;
import io.github.pveusbgadget.progress.Progress;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code image versions}: the unRAID releases {@code image create --version} can download. */
@Command(name = "versions", mixinStandardHelpOptions = true,
        description = "List the unRAID releases on offer in the release index, newest first (stable ones; "
                + "--prerelease adds betas and release candidates).")
final class ImageVersionsCommand extends BaseCommand {
    @Mixin
    ReleaseIndexOptions index;

    @Override
    public Integer call() {
        ReleaseIndex releases = new ZipDownloader(out(), Progress.NONE).index(index.url());
        List<ReleaseIndex.Release> offered = releases.offered(index.prerelease);
        if (offered.isEmpty()) {
            out().println("no stable release in " + index.url() + "; --prerelease lists the others");
            return 0;
        }
        int width = Math.max("VERSION".length(), offered.stream().mapToInt(r -> r.version().length()).max()
                .orElse(0));
        String format = "%-" + width + "s  %-10s  %9s  %s%n";
        out().printf(Locale.ROOT, format, "VERSION", "DATE", "SIZE", "CHECKS");
        for (ReleaseIndex.Release r : offered) {
            out().printf(Locale.ROOT, format, r.version(), r.date().isEmpty() ? "-" : r.date(),
                    r.size() > 0 ? ByteSize.format(r.size()) : "-", (r.md5().isEmpty() ? "sha256" : "md5")
                            + (r.isStable() ? "" : "  prerelease"));
        }
        return 0;
    }
}
