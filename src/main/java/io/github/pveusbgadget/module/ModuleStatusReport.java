package io.github.pveusbgadget.module;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code module status}: a few lines per kernel for people, ending with what to run where something is missing. */
public final class ModuleStatusReport {
    private final ModuleInspector inspector;

    public ModuleStatusReport(ModuleInspector inspector) {
        this.inspector = inspector;
    }

    /**
     * What {@code module status} shows: the kernels' states, the running kernel when it has no module directory at
     * all (nothing can be built or loaded for it), and the exit code.
     *
     * @param exitCode 1 when the running kernel (or the one asked about) has no {@code dummy_hcd}, or no kernel is
     *                 installed; else 0
     */
    public record Report(List<KernelModuleState> kernels, Optional<KernelRelease> runningWithoutModules,
                         int exitCode) {
    }

    /** The report of every installed kernel, or only {@code only}. */
    public Report report(Optional<KernelRelease> only) {
        List<KernelRelease> kernels = only.map(List::of).orElseGet(inspector::installed);
        Optional<KernelRelease> running = inspector.running();
        if (kernels.isEmpty()) {
            return new Report(List.of(), Optional.empty(), 1);
        }
        Map<String, String> dkms = inspector.dkmsStates();
        List<KernelModuleState> states = new ArrayList<>();
        int exit = 0;
        for (KernelRelease kernel : kernels) {
            KernelModuleState state = inspector.inspect(kernel, dkms);
            states.add(state);
            boolean matters = only.isPresent() || running.filter(kernel::equals).isPresent();
            if (matters && (!state.hasDummyHcd() || !state.kernelPresent())) {
                exit = 1;
            }
        }
        Optional<KernelRelease> withoutModules = running.filter(r -> !kernels.contains(r) && only.isEmpty());
        return new Report(states, withoutModules, withoutModules.isPresent() ? 1 : exit);
    }

    /** Why the running kernel of {@code report} has nothing: the line {@code module status} prints. */
    public String withoutModulesProblem(KernelRelease running) {
        return "the running kernel " + running + " has no " + inspector.roots().kernelDir(running)
                + ": it cannot load any module it does not have built in";
    }

    /** What a report without kernels means: the line {@code module status} prints. */
    public String noKernelProblem() {
        return "no kernel in " + inspector.roots().modules();
    }

    /** What to run so that {@code state}'s kernel gets our {@code dummy_hcd}; empty when it has one. */
    public Optional<String> todo(KernelModuleState state) {
        return state.todo(inspector.module());
    }

    /** Prints {@link #report} for people and returns its exit code. */
    public int print(PrintWriter out, Optional<KernelRelease> only) {
        Report report = report(only);
        if (report.kernels().isEmpty()) {
            out.println(noKernelProblem());
        }
        report.kernels().forEach(state -> print(out, state));
        report.runningWithoutModules().ifPresent(running -> out.println(withoutModulesProblem(running)));
        return report.exitCode();
    }

    private void print(PrintWriter out, KernelModuleState s) {
        DkmsModule module = inspector.module();
        out.println("kernel " + s.kernel() + (s.running() ? " (running)" : "") + ": Linux " + s.upstream()
                + " (from its " + s.upstreamFrom() + ")"
                + (s.upstream().sublevel().isEmpty() ? "; the name does not say the sublevel, its headers would" : "")
                + (s.kernelPresent() ? "" : "; only headers are installed, not the kernel"));
        out.println("  headers:    " + (s.headers() ? inspector.roots().headers(s.kernel()) + " (" + s.kernel()
                .headersPackage() + ")" : "missing: apt install " + s.kernel().headersPackage()));
        String dkms = s.dkmsState().isEmpty() ? "not built by DKMS" : "DKMS " + module.id() + ": " + s.dkmsState();
        if (s.dkmsModule().isPresent()) {
            out.println("  dummy_hcd:  " + s.dkmsModule().get() + " (" + dkms + ")");
        } else if (s.inTreeModule().isPresent()) {
            out.println("  dummy_hcd:  the kernel's own " + s.inTreeModule().get() + " (" + dkms + ")");
        } else {
            out.println("  dummy_hcd:  missing (" + dkms + ")");
        }
        s.builtFrom().ifPresent(from -> out.println("  built from: " + from));
        out.println("  next build: " + s.nextSource().description());
        s.todo(module).ifPresent(todo -> out.println("  to do:      " + todo));
    }
}
