package io.github.pveusbgadget.cli;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.gadget.ObservedGadget;
import io.github.pveusbgadget.imagebuild.BootChecksums;
import io.github.pveusbgadget.imagebuild.ByteSize;
import io.github.pveusbgadget.imagebuild.Checksum;
import io.github.pveusbgadget.imagebuild.ImageBuilder;
import io.github.pveusbgadget.imagebuild.ImageRequest;
import io.github.pveusbgadget.imagebuild.NetworkSettings;
import io.github.pveusbgadget.imagebuild.ReleaseIndex;
import io.github.pveusbgadget.imagebuild.UnraidZip;
import io.github.pveusbgadget.imagebuild.UpdateRoom;
import io.github.pveusbgadget.imagebuild.VolumeLabel;
import io.github.pveusbgadget.imagebuild.ZipDownloader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code image create}: a bootable unRAID flash image, without root, loop devices or mounts. */
@Command(name = "create", sortOptions = false,
        description = {"Build a bootable unRAID flash image (sparse file, MBR, FAT32 '--label', the zip's files and "
                + "its own syslinux and mbr.bin) from a release zip, without root, mounts or loop devices.",
            "Needs mkfs.fat (dosfstools) and mtools."})
final class ImageCreateCommand extends BaseCommand {
    // Not mixinStandardHelpOptions: --version here is the unRAID version to download.
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "IMG", description = "The image file to create.")
    Path output;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--zip", paramLabel = "FILE", description = "An unRAID release zip on this host.")
        Path zip;

        @Option(names = "--version", paramLabel = "V",
                description = "Download release V from the release index (md5, as unRAID's updater checks it, and "
                        + "the bz*.sha256 verified; cached). 'image versions' lists them.")
        String version;

        @Option(names = "--latest", description = "Download the newest stable release from the release index (with "
                + "--prerelease: the newest of all).")
        boolean latest;
    }

    @Option(names = "--size", paramLabel = "SIZE", defaultValue = UpdateRoom.DEFAULT_SIZE,
            description = "Image size, at least 512M (default: ${DEFAULT-VALUE}: room for unRAID's own updater); the "
                    + "file is sparse.")
    String size;

    @Option(names = "--label", paramLabel = "LABEL", defaultValue = VolumeLabel.UNRAID,
            description = "FAT volume label: A-Z, 0-9, '-', '_' (default: ${DEFAULT-VALUE}, which unRAID looks for; "
                    + "another one is added as unraidlabel= to both syslinux configs).")
    String label;

    @Option(names = "--network", paramLabel = "dhcp|static",
            description = "Write config/network.cfg: dhcp, or static with --address, --gateway and --dns.")
    String network;

    @Option(names = "--address", paramLabel = "A/PREFIX", description = "Static IPv4 address, e.g. 192.168.1.50/24.")
    String address;

    @Option(names = "--gateway", paramLabel = "G", description = "Static default gateway.")
    String gateway;

    @Option(names = "--dns", paramLabel = "D", description = "DNS server (default with static: the gateway).")
    String dns;

    @Mixin
    ReleaseIndexOptions index;

    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "Where downloaded zips are kept (default: /var/cache/pve-usb-gadget/unraid for root, "
                    + "else ~/.cache/pve-usb-gadget/unraid).")
    Path cacheDir;

    @Option(names = "--force", description = "Replace an existing --output (only once the new image is complete).")
    boolean force;

    @Option(names = "--dry-run", description = "Change nothing; print the steps as a shell script.")
    boolean dryRun;

    @Override
    public Integer call() {
        long bytes = ByteSize.parse("--size", size);
        VolumeLabel.validate(label);
        NetworkSettings settings = NetworkSettings.of(network, address, gateway, dns);
        ImageRequest request = new ImageRequest(output, bytes, label, settings, force,
                services().environment().random().get().nextInt());
        refuseImageInUse();
        ImageBuilder builder = new ImageBuilder(services().environment().runner(), out(),
                services().environment().variable("TMPDIR"));
        List<String> before = new ArrayList<>();
        Path zipPath;
        if (source.zip != null) {
            zipPath = source.zip;
        } else {
            ZipDownloader downloader = new ZipDownloader(out(), System.console() != null && !dryRun);
            ReleaseIndex releases = downloader.index(index.url());
            ReleaseIndex.Release release = source.latest ? releases.latest(index.prerelease)
                    : releases.version(source.version, index.prerelease);
            out().println((dryRun ? "# " : "") + "unRAID " + release.version()
                    + (release.date().isEmpty() ? "" : " (" + release.date() + ")") + ": " + release.url());
            Path cache = cacheDir != null ? cacheDir : defaultCacheDir(services().environment());
            if (dryRun) {
                zipPath = cache.resolve(release.fileName());
                before.add("mkdir -p " + quote(cache));
                before.add("curl -fL --progress-bar -o " + quote(zipPath + ".part") + " " + quote(release.url()));
                before.add(Checksum.shellCheck(release, zipPath + ".part"));
                before.add("mv " + quote(zipPath + ".part") + " " + quote(zipPath));
                if (!isVerified(release, zipPath)) {
                    out().print(builder.script(request, zipPath, null, before));
                    return 0;
                }
                before.clear();
                before.add("# using the cached, verified " + zipPath);
            } else {
                zipPath = downloader.fetch(release, cache, zip -> BootChecksums.verify(zip, "the download of "
                        + release.url()));
            }
        }
        try (UnraidZip zip = UnraidZip.open(zipPath)) {
            builder.check(request, zip, !dryRun);
            List<String> notes = new ArrayList<>();
            if (source.zip != null) {
                notes.add(BootChecksums.verify(zip, "--zip " + zipPath).account());
            }
            UpdateRoom.warning(bytes, zip).ifPresent(w -> notes.add("warning: " + w));
            if (dryRun) {
                notes.forEach(note -> before.add("# " + note));
                out().print(builder.script(request, zipPath, zip, before));
                return 0;
            }
            out().println("zip " + zipPath + ": unRAID" + zip.version().map(v -> " " + v).orElse("") + " layout, "
                    + zip.fileCount() + " files, " + ByteSize.format(zip.contentBytes()));
            notes.forEach(out()::println);
            builder.build(request, zip);
        }
        return 0;
    }

    /** Replacing the image of a gadget that is up would pull it from under a running VM. */
    private void refuseImageInUse() {
        if (!Files.exists(output)) {
            return;
        }
        String real;
        try {
            real = output.toRealPath().toString();
        } catch (IOException e) {
            return;
        }
        for (ObservedGadget gadget : services().inspector().all()) {
            for (String file : gadget.backingFiles()) {
                if (file.equals(real) || file.equals(output.toAbsolutePath().toString())) {
                    throw ToolException.refused("--output " + output + " is the image of gadget " + gadget.name()
                            + "; stop that VM (or 'pve-usb-gadget down') before replacing it");
                }
            }
        }
    }

    private static boolean isVerified(ReleaseIndex.Release release, Path zip) {
        try {
            return Files.isRegularFile(zip) && Checksum.check(release, Checksum.of(zip)).verified();
        } catch (IOException e) {
            return false;
        }
    }

    static Path defaultCacheDir(Environment environment) {
        if ("root".equals(System.getProperty("user.name"))) {
            return Path.of("/var/cache/pve-usb-gadget/unraid");
        }
        Path base = environment.variable("XDG_CACHE_HOME").map(Path::of)
                .orElseGet(() -> Path.of(System.getProperty("user.home"), ".cache"));
        return base.resolve("pve-usb-gadget").resolve("unraid");
    }

    private static String quote(Object value) {
        String text = value.toString();
        return text.matches("[A-Za-z0-9_./:=@%+,-]+") ? text : "'" + text.replace("'", "'\\''") + "'";
    }
}
