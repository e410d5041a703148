package io.github.pveusbgadget.cli;

import io.github.pveusbgadget.image.ImageGuard;
import io.github.pveusbgadget.imagebuild.ByteSize;
import io.github.pveusbgadget.imagebuild.ImageCreation;
import io.github.pveusbgadget.imagebuild.ImageBuilder;
import io.github.pveusbgadget.imagebuild.ImageRequest;
import io.github.pveusbgadget.imagebuild.NetworkSettings;
import io.github.pveusbgadget.imagebuild.UpdateRoom;
import io.github.pveusbgadget.imagebuild.VolumeLabel;
import io.github.pveusbgadget.progress.Progress;
import java.nio.file.Path;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code image create}: a bootable unRAID flash image, without root, loop devices or mounts. */
@Command(name = "create", sortOptions = false,
        description = {"Build a bootable unRAID flash image (sparse file, MBR, FAT32 '--label', the zip's files and "
                + "its own syslinux and mbr.bin) from a release zip, without root, mounts or loop devices.",
            "Needs mkfs.fat (dosfstools) and mtools; the --dry-run script also needs unzip, and curl for a download."},
        customSynopsis = {"pve-usb-gadget image create -o IMG (--zip FILE | --version V | --latest) [--size SIZE] "
                + "[--label LABEL] [--network dhcp|static [--address A/PREFIX --gateway G [--dns D]]] [OPTIONS]"})
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
        ImageGuard.refuseReplacing(output, services().snapshot().gadgets());
        Environment environment = services().environment();
        // Progress on a terminal only, and never in a dry run: its script is the output.
        Progress progress = dryRun ? Progress.NONE
                : Progress.on(environment.console(), err(), () -> TerminalWidth.of(environment));
        ImageCreation creation = new ImageCreation(environment.runner(), out(), ImageBuilder.tempRoot(
                environment.variable("TMPDIR"), environment.tmpDir()), progress);
        ImageCreation.Source from = new ImageCreation.Source(source.zip, source.version, source.latest, index.url(),
                index.prerelease, cacheDir != null ? cacheDir : ImageCreation.defaultCacheDir(environment.user(),
                        environment.variable("XDG_CACHE_HOME"), environment.home()));
        if (dryRun) {
            out().print(creation.dryRun(request, from));
        } else {
            creation.create(request, from);
        }
        return 0;
    }
}
