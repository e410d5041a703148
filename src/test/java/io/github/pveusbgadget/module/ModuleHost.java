package io.github.pveusbgadget.module;

import io.github.pveusbgadget.cli.Application;
import io.github.pveusbgadget.cli.Environment;
import io.github.pveusbgadget.host.CommandResult;
import io.github.pveusbgadget.host.CommandRunner;
import io.github.pveusbgadget.testing.CliRun;
import io.github.pveusbgadget.testing.FakeKernel;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A host's kernels, headers and DKMS tree in memory, and a {@code dkms}/{@code modinfo} that answer as told and
 * record what they were asked (with the timeout), for the {@code module} command's tests.
 */
final class ModuleHost implements CommandRunner {
    static final String DKMS_TREE = "/var/lib/dkms/pve-usb-gadget-dummy-hcd/1.0";
    static final String DUMMY_HCD_C = "/* dummy_hcd.c */\nstruct dummy_hcd {};\nMODULE_LICENSE(\"GPL\");\n";

    private final FakeKernel kernel = new FakeKernel();
    private final Map<String, CommandResult> answers = new LinkedHashMap<>();
    private final Map<String, String> variables = new HashMap<>();
    final List<String> commands = new ArrayList<>();
    final List<Duration> timeouts = new ArrayList<>();

    ModuleHost() {
        installDkmsSource(kernel);
        mkdirs(DKMS_TREE + "/source");
        answer("dkms status", 0, "");
    }

    /** What the .deb installs in /usr/src: the DKMS source, with source.conf's download URL. */
    static void installDkmsSource(FakeKernel kernel) {
        try {
            Path dir = kernel.path("/usr/src/pve-usb-gadget-dummy-hcd-1.0");
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("dkms.conf"), "PACKAGE_NAME=\"pve-usb-gadget-dummy-hcd\"\n");
            Files.copy(Path.of("module-src/source.conf"), dir.resolve("source.conf"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path path(String p) {
        return kernel.path(p);
    }

    ModuleHost write(String file, String content) {
        try {
            Files.createDirectories(path(file).getParent());
            Files.writeString(path(file), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    ModuleHost mkdirs(String dir) {
        try {
            Files.createDirectories(path(dir));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    ModuleHost running(String release) {
        return write("/proc/sys/kernel/osrelease", release + "\n");
    }

    /** An installed kernel, with headers or without. */
    ModuleHost kernel(String release, boolean headers) {
        write("/lib/modules/" + release + "/modules.dep", "");
        return headers ? headers(release) : this;
    }

    /** The kernel's headers package: /usr/src/linux-headers-K and the link /lib/modules/K/build to it. */
    ModuleHost headers(String release) {
        mkdirs("/usr/src/linux-headers-" + release);
        try {
            Files.createSymbolicLink(path("/lib/modules/" + release + "/build"), path("/usr/src/linux-headers-" + release));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    ModuleHost versionHeader(String release, int major, int minor, int sub) {
        return write("/usr/src/linux-headers-" + release + "/include/generated/uapi/linux/version.h",
                "#define LINUX_VERSION_CODE " + ((major << 16) + (minor << 8) + Math.min(sub, 255)) + "\n"
                        + "#define LINUX_VERSION_MAJOR " + major + "\n#define LINUX_VERSION_PATCHLEVEL " + minor
                        + "\n#define LINUX_VERSION_SUBLEVEL " + sub + "\n");
    }

    /** Our module installed by DKMS for {@code release}, built from {@code origin}. */
    ModuleHost installed(String release, String origin) {
        write("/lib/modules/" + release + "/updates/dkms/dummy_hcd.ko.xz", "ELF");
        write(DKMS_TREE + "/" + release + "/x86_64/log/make.log", "DKMS make.log\nsource-info: kernel=" + release
                + "\nsource-info: origin=" + origin + "\nsource-info: source_version=6.8.12\n"
                + "source-info: match=exact\nmake -C ...\n");
        return this;
    }

    /** The answer to every command that starts with {@code prefix} (the last matching one told wins). */
    ModuleHost answer(String prefix, int exit, String output) {
        answers.put(prefix, new CommandResult(exit, output, false));
        return this;
    }

    ModuleHost timesOut(String prefix) {
        answers.put(prefix, new CommandResult(-1, "Building module:\n", true));
        return this;
    }

    ModuleHost variable(String name, String value) {
        variables.put(name, value);
        return this;
    }

    @Override
    public CommandResult run(List<String> command, Duration timeout) {
        String line = String.join(" ", command);
        commands.add(line);
        timeouts.add(timeout);
        CommandResult result = null;
        for (Map.Entry<String, CommandResult> e : answers.entrySet()) {
            if (line.startsWith(e.getKey()) || line.contains(" " + e.getKey())) {
                result = e.getValue();
            }
        }
        if (result == null) {
            return new CommandResult(127, command.get(0) + ": not answered by the test", false);
        }
        if (result.succeeded() && line.contains("dkms install")) { // what dkms install leaves behind
            write("/lib/modules/" + command.get(command.indexOf("-k") + 1) + "/updates/dkms/dummy_hcd.ko.xz", "ELF");
        }
        return result;
    }

    @Override
    public boolean isAvailable(String program) {
        return program.equals("dkms");
    }

    /** Commands other than the read-only queries. */
    List<String> changes() {
        return commands.stream().filter(c -> !c.startsWith("dkms status") && !c.startsWith("modinfo")).toList();
    }

    CliRun run(String... args) {
        Environment base = kernel.environment();
        Environment environment = new Environment(base.fileSystem(), base.gadgetFs(), this, base.ticker(),
                base.random(), base.faults(), base.clock(), Map.copyOf(variables), base.user(), base.home(),
                base.tmpDir(), base.console());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Application.run(args, environment, new PrintWriter(out, true), new PrintWriter(err, true));
        return new CliRun(code, out.toString(), err.toString());
    }
}
