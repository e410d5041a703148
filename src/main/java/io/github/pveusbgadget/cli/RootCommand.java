package io.github.pveusbgadget.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Mixin;

/** {@code pve-usb-gadget}: the command line of PRODUCT.md. */
@Command(name = "pve-usb-gadget", mixinStandardHelpOptions = true, versionProvider = RootCommand.Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "Gives a Proxmox VE VM an emulated USB flash drive (a configfs mass-storage gadget on dummy_hcd).",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:the operation failed or the system's state forbids it",
            "2:bad usage or bad configuration"},
        subcommands = {HookCommand.class, UpCommand.class, DownCommand.class, StatusCommand.class,
            CheckCommand.class, InitCommand.class, AttachCommand.class, DetachCommand.class, GuidCommand.class, ImageCommand.class})
public final class RootCommand implements Runnable {
    @Mixin
    GlobalOptions global;

    private final Environment environment;
    private Services services;

    public RootCommand(Environment environment) {
        this.environment = environment;
    }

    /** The services for the options given; built once, after parsing. */
    Services services() {
        if (services == null) {
            services = new Services(environment, global);
        }
        return services;
    }

    GlobalOptions global() {
        return global;
    }

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "missing a command");
    }

    /** The version from the build. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            try (InputStream in = RootCommand.class.getResourceAsStream("/io/github/pveusbgadget/version.txt")) {
                String version = in == null ? "unknown" : new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
                return new String[] {"pve-usb-gadget " + version};
            }
        }
    }
}
