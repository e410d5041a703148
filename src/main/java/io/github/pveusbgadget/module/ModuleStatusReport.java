package io.github.pveusbgadget.module;

import java.io.PrintWriter;
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
     * Prints every installed kernel, or only {@code only}; returns 1 when the running kernel (or {@code only}) has no
     * {@code dummy_hcd}, else 0.
     */
    public int print(PrintWriter out, Optional<KernelRelease> only) {
        List<KernelRelease> kernels = only.map(List::of).orElseGet(inspector::installed);
        Optional<KernelRelease> running = inspector.running();
        if (kernels.isEmpty()) {
            out.println("no kernel in " + inspector.roots().modules());
            return 1;
        }
        Map<String, String> dkms = inspector.dkmsStates();
        int exit = 0;
        for (KernelRelease kernel : kernels) {
            KernelModuleState state = inspector.inspect(kernel, dkms);
            print(out, state);
            boolean matters = only.isPresent() || running.filter(kernel::equals).isPresent();
            if (matters && (!state.hasDummyHcd() || !state.kernelPresent())) {
                exit = 1;
            }
        }
        if (running.isPresent() && !kernels.contains(running.get()) && only.isEmpty()) {
            out.println("the running kernel " + running.get() + " has no " + inspector.roots().kernelDir(running.get())
                    + ": it cannot load any module it does not have built in");
            exit = 1;
        }
        return exit;
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
