package io.github.pveusbgadget.cli;

import io.github.pveusbgadget.config.ConfigKey;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine;

/** {@code pve-usb-gadget}: the command line of PRODUCT.md. */
@Command(name = "pve-usb-gadget", mixinStandardHelpOptions = true, versionProvider = RootCommand.Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "Gives a Proxmox VE VM an emulated USB flash drive (a configfs mass-storage gadget on dummy_hcd).",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:the operation failed or the system's state forbids it",
            "2:bad usage or bad configuration"})
public final class RootCommand implements Runnable {
    /**
     * The subcommands' names, in the order the help lists them. They are registered by {@link #commandLine} rather
     * than in the annotation: picocli builds the model of every registered command up front, and a hook run, which
     * needs one, should not pay for ten.
     */
    static final List<String> SUBCOMMANDS = List.of("hook", "up", "down", "status", "check", "init", "attach",
            "detach", "guid", "image", "module", "help");

    /** A new instance of the subcommand {@code name} (a switch, not a map of lambdas: no class spun per entry). */
    static Object newSubcommand(String name) {
        return switch (name) {
            case "hook" -> new HookCommand();
            case "up" -> new UpCommand();
            case "down" -> new DownCommand();
            case "status" -> new StatusCommand();
            case "check" -> new CheckCommand();
            case "init" -> new InitCommand();
            case "attach" -> new AttachCommand();
            case "detach" -> new DetachCommand();
            case "guid" -> new GuidCommand();
            case "image" -> new ImageCommand();
            case "module" -> new ModuleCommand();
            case "help" -> new CommandLine.HelpCommand();
            default -> throw new IllegalArgumentException("no subcommand " + name);
        };
    }

    @Mixin
    GlobalOptions global;

    private final Environment environment;
    private Services services;

    public RootCommand(Environment environment) {
        this.environment = environment;
    }

    /**
     * The command line for {@code args}: the root with only the subcommand they name, or with all of them when they
     * name none (help, a usage error, a mistyped command), so that help and suggestions list everything.
     */
    static CommandLine commandLine(Environment environment, String[] args) {
        CommandLine root = new CommandLine(new RootCommand(environment));
        Optional<String> named = subcommandNamedIn(root.getCommandSpec(), args);
        // help needs every command it may be asked about.
        for (String name : named.filter(n -> !n.equals("help")).map(List::of).orElse(SUBCOMMANDS)) {
            root.addSubcommand(name, newSubcommand(name));
        }
        if (root.getSubcommands().containsKey("init")) {
            // After the footer: picocli would wrap the reference without its hanging indent.
            CommandLine init = root.getSubcommands().get("init");
            init.getHelpSectionMap().put("keys", help -> ConfigKey.helpText(help.commandSpec().usageMessage().width()));
            List<String> sections = new ArrayList<>(init.getHelpSectionKeys());
            sections.add("keys");
            init.setHelpSectionKeys(sections);
        }
        if (root.getSubcommands().containsKey("image")) {
            hideHostOptions(root.getSubcommands().get("image"));
        }
        // Path options resolve in the environment's file system (picocli's own converter uses the default one);
        // registered once the subcommands are added, which is what picocli applies it to.
        root.registerConverter(Path.class, environment.fileSystem()::getPath);
        return root;
    }

    /**
     * The image commands work on a file of their own: the config directory and sysfs mean nothing there, and configfs
     * only serves the check that no gadget serves the image to replace. Their help does not offer them (they are
     * still accepted, like every global option, so that a command line may give them once for all commands).
     */
    private static void hideHostOptions(CommandLine command) {
        List<String> hidden = List.of("--config-dir", "--configfs", "--sysfs");
        command.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST, help -> {
            CommandSpec spec = help.commandSpec();
            List<OptionSpec> shown = spec.options().stream()
                    .filter(o -> !o.hidden() && !hidden.contains(o.longestName()))
                    .filter(o -> o.group() == null || o.group().heading() == null).toList();
            return help.optionListExcludingGroups(shown, help.createDefaultLayout(),
                    spec.usageMessage().sortOptions() ? CommandLine.Help.createShortOptionArityAndNameComparator()
                            : null, help.createDefaultParamLabelRenderer());
        });
        command.getSubcommands().values().forEach(RootCommand::hideHostOptions);
    }

    /** The first argument that is neither an option of the root nor its value, if it names a subcommand. */
    private static Optional<String> subcommandNamedIn(CommandSpec rootSpec, String[] args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("-") || arg.equals("-")) {
                return SUBCOMMANDS.contains(arg) ? Optional.of(arg) : Optional.empty();
            }
            OptionSpec option = rootSpec.findOption(arg);
            if (option != null && option.arity().max() > 0) {
                i++; // its value
            }
        }
        return Optional.empty();
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

    /** Whether {@code -v} was given (once parsed). */
    boolean verbose() {
        return global != null && global.verbose;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "missing a command");
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
