package io.github.pveusbgadget.module;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.host.CommandRunner;
import io.github.pveusbgadget.plan.Plan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Decides how {@code module build} builds and installs our {@code dummy_hcd} for one kernel: refuses, with what to
 * do, what cannot work (no kernel, no headers, no source), and otherwise plans {@code dkms add} (when the package's
 * postinst did not), {@code dkms build --force} and {@code dkms install --force}.
 */
public final class ModuleBuildPlanner {
    /** The install step only copies a built module and runs depmod. */
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);

    private final ModuleInspector inspector;

    public ModuleBuildPlanner(ModuleInspector inspector) {
        this.inspector = inspector;
    }

    /**
     * The plan for {@code kernel}, from {@code source} (a file, folder or tarball) or, without one, from what
     * {@code prepare-source.sh} finds; the build may take at most {@code buildTimeout}.
     */
    public Plan<CommandRunner> plan(KernelRelease kernel, Optional<Path> source, Duration buildTimeout) {
        ModuleRoots roots = inspector.roots();
        DkmsModule module = inspector.module();
        if (!Files.isDirectory(roots.kernelDir(kernel))) {
            throw ToolException.badInput("kernel " + kernel + " is not installed (no " + roots.kernelDir(kernel)
                    + "); installed: " + inspector.installed().stream().map(KernelRelease::name)
                    .collect(Collectors.joining(", ")));
        }
        if (!Files.isRegularFile(roots.dkmsSource().resolve("dkms.conf"))) {
            throw ToolException.refused("the DKMS source " + roots.dkmsSource() + " is missing: "
                    + "apt install --reinstall pve-usb-gadget");
        }
        KernelModuleState state = inspector.inspect(kernel, Map.of());
        if (!state.headers()) {
            throw ToolException.refused("no headers for kernel " + kernel + " (" + roots.headers(kernel)
                    + " is missing): apt install " + kernel.headersPackage() + ", then run this again");
        }
        String withSource = "pve-usb-gadget module build --kernel " + kernel + " --source /path/to/dummy_hcd.c|linux-"
                + state.upstream().series() + ".N.tar.xz";
        SourceChoice choice;
        List<String> env = new ArrayList<>();
        if (source.isPresent()) {
            Path absolute = source.get().toAbsolutePath().normalize();
            choice = inspector.finder().checkGiven(absolute, "--source");
            if (!choice.usable()) {
                throw ToolException.badInput(choice.description());
            }
            env = List.of("env", "DUMMY_HCD_SOURCE=" + absolute);
        } else {
            choice = state.nextSource();
            if (!choice.usable()) {
                throw ToolException.refused("no dummy_hcd.c source for kernel " + kernel + " (Linux "
                        + state.upstream() + "): " + choice.description() + "; give one: " + withSource);
            }
        }
        Plan<CommandRunner> plan = new Plan<>();
        plan.note("kernel " + kernel + " is Linux " + state.upstream() + " (from its " + state.upstreamFrom() + ")");
        plan.note("source: " + choice.description());
        choice.version().filter(v -> !v.sameSeries(state.upstream())).ifPresent(v -> plan.note("warning: the source "
                + "is Linux " + v + ", the kernel " + state.upstream() + ": it may not compile"));
        String tree = module.treeDirectory(roots.dkmsTree().toString());
        String failedLog = tree + "/build/make.log";
        if (!Files.isDirectory(roots.dkmsTree().resolve(module.name()).resolve(module.version()))) {
            plan.add(new DkmsStep("add", kernel, module.addCommand(), INSTALL_TIMEOUT, failedLog,
                    "apt install --reinstall pve-usb-gadget"));
        }
        String fix = source.isPresent() ? "if this source does not fit the kernel, give one that does: " + withSource
                : "give the source yourself: " + withSource;
        plan.add(new DkmsStep("build", kernel, concat(env, module.buildCommand(kernel)), buildTimeout, failedLog, fix));
        plan.add(new DkmsStep("install", kernel, module.installCommand(kernel), INSTALL_TIMEOUT, failedLog,
                "see the log, then: " + module.installByHand(kernel)));
        return plan;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
