package io.github.pveusbgadget.config;

import io.github.pveusbgadget.plan.Shell;
import io.github.pveusbgadget.plan.Step;
import java.util.ArrayList;
import java.util.List;

/** Writes a VM's {@code <vmid>.conf}, owner-only and atomically, as {@code init} and {@code attach} do. */
public record WriteConfig(ConfigStore store, VmId vmId, String content) implements Step<Object> {
    @Override
    public String describe() {
        return "write " + store.fileOf(vmId);
    }

    @Override
    public List<String> shell() {
        String file = Shell.quote(store.fileOf(vmId));
        List<String> lines = new ArrayList<>();
        lines.add("mkdir -p " + Shell.quote(store.directory()));
        List<String> write = Shell.hereDocument("cat > " + file, content);
        lines.add("(umask 077; " + write.get(0));
        lines.addAll(write.subList(1, write.size()));
        lines.add(")");
        lines.add("chmod 600 " + file);
        return lines;
    }

    @Override
    public void apply(Object context) {
        store.write(vmId, content);
    }
}
