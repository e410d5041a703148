package io.github.pveusbgadget.imagebuild;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.progress.Progress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Function;

/**
 * Reads the release index and downloads a release zip into a cache directory: checksum verified before the zip
 * takes its final name, so the cache only ever holds verified zips; a cached zip that still verifies is reused.
 */
public final class ZipDownloader {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration INDEX_TIMEOUT = Duration.ofSeconds(60);

    private final HttpClient client;
    private final PrintWriter log;
    private final Progress progress;

    /**
     * @param log      where each download says what it fetched and checked
     * @param progress how a download shows how far it has got
     */
    public ZipDownloader(PrintWriter log, Progress progress) {
        this.client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        this.log = log;
        this.progress = progress;
    }

    /** How downloads and the checks of cached zips show progress. */
    public Progress progress() {
        return progress;
    }

    public ReleaseIndex index(String url) {
        URI uri = uri("--index-url", url);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(INDEX_TIMEOUT)
                .header("Accept", "application/json").header("User-Agent", "pve-usb-gadget").GET().build();
        HttpResponse<byte[]> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw ToolException.failed("cannot read the release index " + url + ": " + describe(e)
                    + "; check the network or --index-url, or download the zip yourself and use --zip", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ToolException.failed("interrupted while reading the release index " + url, e);
        }
        if (response.statusCode() != 200) {
            throw ToolException.failed("the release index " + url + " answered HTTP " + response.statusCode()
                    + "; check --index-url, or download the zip yourself and use --zip", null);
        }
        return ReleaseIndex.parse(url, new String(response.body(), StandardCharsets.UTF_8));
    }

    /**
     * The cached zip of {@code release}: reused when it still passes its checks, downloaded and checked otherwise.
     * The download takes its final name only once it passes the index's checksums (see {@link Checksum}) and
     * {@code content} (a check of the zip's files that returns a line for the log or throws; exit 1 then), so the
     * cache only ever holds zips that passed; a failed check leaves nothing.
     */
    public Path fetch(ReleaseIndex.Release release, Path cacheDir, Function<Path, String> content) {
        Path target = cacheDir.resolve(release.fileName());
        try {
            Files.createDirectories(cacheDir);
            if (Files.isRegularFile(target)) {
                Checksum.Outcome cached = Checksum.check(release, Checksum.of(target, progress));
                if (cached.verified()) {
                    try {
                        String checked = content.apply(target);
                        log.println("using cached " + target + " (" + cached.account() + "; " + checked + ")");
                        return target;
                    } catch (ToolException e) {
                        log.println("cached " + target + " fails a check (" + e.getMessage() + "); downloading it "
                                + "again");
                    }
                } else {
                    log.println("cached " + target + " does not pass (" + cached.account() + "); downloading it "
                            + "again");
                }
                Files.delete(target);
            }
        } catch (IOException e) {
            throw ToolException.failed("cannot use the cache directory " + cacheDir + ": " + describe(e)
                    + "; choose another with --cache-dir", e);
        }
        if (release.size() > 0) {
            long free = usable(cacheDir);
            if (free >= 0 && free < release.size() + ByteSize.MIB) {
                throw ToolException.refused("not enough free space in " + cacheDir + " for the "
                        + ByteSize.format(release.size()) + " zip (" + ByteSize.format(free) + " free); free some "
                        + "space or choose another --cache-dir");
            }
        }
        Path part = cacheDir.resolve(release.fileName() + ".part");
        try {
            Checksum.Outcome outcome = Checksum.check(release, download(uri("release url", release.url()), part,
                    release.size()));
            if (!outcome.verified()) {
                throw ToolException.failed("the download of " + release.url() + " is not the release the index "
                        + "describes: " + outcome.account() + "; the download is damaged or the index is wrong; "
                        + "nothing was kept, try again", null);
            }
            String checked;
            try {
                checked = content.apply(part);
            } catch (ToolException e) {
                throw ToolException.failed(e.getMessage() + "; the download was not kept", null);
            }
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            log.println("downloaded " + target + " (" + outcome.account() + "; " + checked + ")");
            return target;
        } catch (IOException e) {
            String why = describe(e);
            if (why.toLowerCase(Locale.ROOT).contains("no space")) {
                throw ToolException.refused("no space left in " + cacheDir + " while downloading " + release.url()
                        + "; free some space or choose another --cache-dir");
            }
            throw ToolException.failed("cannot download " + release.url() + ": " + why, e);
        } finally {
            try {
                Files.deleteIfExists(part);
            } catch (IOException e) {
                // Best effort: the name ends in .part and is never used as a zip.
            }
        }
    }

    private Checksum.Digests download(URI uri, Path part, long expectedSize) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(uri).header("User-Agent", "pve-usb-gadget").GET().build();
        HttpResponse<InputStream> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        Checksum checksum = new Checksum();
        try (InputStream in = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException("HTTP " + response.statusCode());
            }
            long total = response.headers().firstValueAsLong("Content-Length").orElse(expectedSize);
            log.println("downloading " + uri + (total > 0 ? " (" + ByteSize.format(total) + ")" : ""));
            try (OutputStream out = Files.newOutputStream(part);
                 Progress.Meter meter = progress.start("downloading " + part.getFileName().toString()
                         .replaceFirst("\\.part$", ""), total > 0 ? total : Progress.UNKNOWN)) {
                byte[] buffer = new byte[1 << 16];
                long done = 0;
                for (int n; (n = in.read(buffer)) > 0; ) {
                    out.write(buffer, 0, n);
                    checksum.update(buffer, 0, n);
                    done += n;
                    meter.advance(n);
                }
                if (total > 0 && done != total) {
                    throw new IOException("the connection ended after " + done + " of " + total + " bytes");
                }
            }
        }
        return checksum.digests();
    }

    private static URI uri(String what, String url) {
        try {
            URI uri = URI.create(url);
            if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
                throw new IllegalArgumentException("not http or https");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw ToolException.badInput(what + " '" + url + "' is not an http(s) URL");
        }
    }

    private static long usable(Path dir) {
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            return -1;
        }
    }

    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
