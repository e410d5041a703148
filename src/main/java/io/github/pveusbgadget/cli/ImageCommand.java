package io.github.pveusbgadget.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;

/** {@code image ...}: backing images. */
@Command(name = "image", mixinStandardHelpOptions = true,
        subcommands = {ImageCreateCommand.class, ImageVersionsCommand.class},
        customSynopsis = {"pve-usb-gadget image create -o IMG (--zip FILE | --version V | --latest) [OPTIONS]",
            "pve-usb-gadget image versions [OPTIONS]"},
        description = {"Backing images: 'image create' builds a bootable unRAID flash image from a release zip;",
            "'image versions' lists the releases it can download."})
final class ImageCommand extends BaseCommand {
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing a subcommand: image create or image versions");
    }
}
