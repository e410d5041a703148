package io.github.pveusbgadget.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.host.CommandRunner;
import io.github.pveusbgadget.module.KernelModuleState;
import io.github.pveusbgadget.module.KernelRelease;
import io.github.pveusbgadget.module.ModuleBuildPlanner;
import io.github.pveusbgadget.module.ModuleInspector;
import io.github.pveusbgadget.module.ModuleStatusReport;
import io.github.pveusbgadget.plan.Plan;
import io.github.pveusbgadget.plan.PlanExecutor;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code module ...}: our DKMS-built {@code dummy_hcd}, per installed kernel. */
@Command(name = "module", mixinStandardHelpOptions = true,
        subcommands = {ModuleCommand.Status.class, ModuleCommand.Build.class},
        description = "The dummy_hcd kernel module DKMS builds for every kernel: 'module status' shows it per kernel, "
                + "'module build' builds it (offline: from a source you bring).")
final class ModuleCommand extends BaseCommand {
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing a subcommand: module status|build");
    }

    /** The inspector of this host's kernels, DKMS tree and prepare-source.sh settings. */
    static ModuleInspector inspector(Services services) {
        Environment environment = services.environment();
        return ModuleInspector.standard(environment.fileSystem(), services.roots().proc(), environment.runner(),
                environment.variables());
    }

    static Optional<KernelRelease> kernel(String name) {
        try {
            return Optional.ofNullable(name).map(KernelRelease::new);
        } catch (IllegalArgumentException e) {
            throw ToolException.badInput("--kernel " + name + ": not a kernel release name (as 'uname -r' prints)");
        }
    }

    /** {@code module status [--kernel K]}. */
    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Per installed kernel: headers, whether dummy_hcd is built and installed, from which "
                    + "source, what a build would use, and what to run (--json: the same for scripts). Exit 1 when "
                    + "the running kernel (or K) has no dummy_hcd.")
    static final class Status extends BaseCommand {
        @Option(names = "--kernel", paramLabel = "K", description = "Only this kernel (as 'uname -r' prints it).")
        String kernel;

        @Option(names = "--json", description = "Print JSON for scripts.")
        boolean json;

        @Override
        public Integer call() {
            ModuleStatusReport report = new ModuleStatusReport(inspector(services()));
            if (!json) {
                return report.print(out(), kernel(kernel));
            }
            ModuleStatusReport.Report found = report.report(kernel(kernel));
            JsonOutput.printArray(out(), found.kernels(), (generator, state) -> writeKernel(generator, state, report));
            // What is not a kernel of the list is said on standard error, as the tool's other problems are.
            if (found.kernels().isEmpty()) {
                err().println("pve-usb-gadget: " + report.noKernelProblem());
            }
            found.runningWithoutModules().ifPresent(running -> err().println("pve-usb-gadget: "
                    + report.withoutModulesProblem(running)));
            return found.exitCode();
        }

        private static void writeKernel(JsonGenerator out, KernelModuleState s, ModuleStatusReport report)
                throws IOException {
            out.writeStringField("kernel", s.kernel().toString());
            out.writeBooleanField("running", s.running());
            out.writeBooleanField("kernel_installed", s.kernelPresent());
            out.writeStringField("linux", s.upstream().toString());
            out.writeStringField("linux_from", s.upstreamFrom());
            out.writeBooleanField("headers", s.headers());
            out.writeStringField("headers_package", s.kernel().headersPackage());
            out.writeStringField("dummy_hcd", s.dkmsModule().isPresent() ? "dkms"
                    : s.inTreeModule().isPresent() ? "kernel" : "missing");
            out.writeStringField("module", s.dkmsModule().or(s::inTreeModule).map(Path::toString).orElse(""));
            out.writeStringField("dkms_state", s.dkmsState());
            out.writeStringField("built_from", s.builtFrom().orElse(""));
            out.writeStringField("next_source", s.nextSource().description());
            out.writeBooleanField("next_source_usable", s.nextSource().usable());
            out.writeStringField("todo", report.todo(s).orElse(""));
        }
    }

    /** {@code module build [--kernel K] [--source FILE|TARBALL|DIR] [--timeout S] [--dry-run]}. */
    @Command(name = "build", mixinStandardHelpOptions = true,
            description = "dkms build + install of dummy_hcd for kernel K (default: the running one), from --source "
                    + "(a dummy_hcd.c, a kernel tree or a kernel tarball) or from what prepare-source.sh finds.")
    static final class Build extends BaseCommand {
        @Option(names = "--kernel", paramLabel = "K", description = "The kernel (default: the running one).")
        String kernel;

        @Option(names = "--source", paramLabel = "FILE|TARBALL|DIR",
                description = "dummy_hcd.c, a kernel source tree or a kernel tarball (linux-X.Y.Z.tar.xz, "
                        + "linux-source-X.Y.tar.xz); the build gets it as DUMMY_HCD_SOURCE.")
        String source;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "900",
                description = "Stop the build after this long (default: ${DEFAULT-VALUE}).")
        long timeoutSeconds;

        @Option(names = "--dry-run", description = "Change nothing; print the steps as a shell script.")
        boolean dryRun;

        @Override
        public Integer call() {
            if (timeoutSeconds < 1) {
                throw ToolException.badInput("--timeout " + timeoutSeconds + ": give seconds, at least 1");
            }
            Services services = services();
            Environment environment = services.environment();
            ModuleInspector inspector = inspector(services);
            KernelRelease target = kernel(kernel).or(inspector::running).orElseThrow(() -> ToolException.badInput(
                    "cannot tell the running kernel (" + inspector.roots().osRelease() + "): give --kernel K"));
            Optional<Path> from = Optional.ofNullable(source).map(environment.fileSystem()::getPath);
            Plan<CommandRunner> plan = new ModuleBuildPlanner(inspector).plan(target, from, Duration.ofSeconds(timeoutSeconds));
            if (dryRun) {
                out().print(plan.toShellScript("module build --kernel " + target));
                return 0;
            }
            PlanExecutor.withTaskLog(environment.runner(), environment.faults()).apply("module-build", plan);
            new ModuleStatusReport(inspector).print(out(), Optional.of(target));
            // Judged by the module alone: a kernel of which only the headers are installed yet (its image comes
            // later in the same upgrade) fails the status, not the build.
            return inspector.inspect(target, inspector.dkmsStates()).hasDummyHcd() ? 0 : 1;
        }
    }
}
