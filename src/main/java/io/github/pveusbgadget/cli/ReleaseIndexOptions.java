package io.github.pveusbgadget.cli;

import io.github.pveusbgadget.imagebuild.ReleaseIndex;
import picocli.CommandLine.Option;

/** The release index options {@code image create} and {@code image versions} share. */
final class ReleaseIndexOptions {
    static final String INDEX_ENV = "PVE_USB_GADGET_UNRAID_INDEX";

    @Option(names = "--index-url", paramLabel = "URL",
            defaultValue = "${env:" + INDEX_ENV + ":-" + ReleaseIndex.DEFAULT_URL + "}",
            description = "Release index (default: ${DEFAULT-VALUE}; env " + INDEX_ENV + ").")
    String indexUrl;

    @Option(names = "--prerelease", description = "Offer betas and release candidates too (the index lists them "
            + "with ?includePublic=1).")
    boolean prerelease;

    /** The URL to read: the index, asking for its prereleases when --prerelease. */
    String url() {
        return ReleaseIndex.url(indexUrl, prerelease);
    }
}
