package io.github.pveusbgadget.config;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.lock.Lock;
import io.github.pveusbgadget.plan.Shell;
import io.github.pveusbgadget.plan.Step;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a VM's {@code <vmid>.conf}, atomically, as {@code init} and {@code attach} do. The identity was chosen
 * unique when planned; it is checked again under {@link ConfigStore#lockIdentities()} just before the write, so two
 * nodes (or two shells) initializing VMs at once cannot both take one.
 *
 * @param config          the file as it parses
 * @param allowDuplicates {@code --force}: a VID:PID, serial or image another config has is written anyway
 */
public record WriteConfig(ConfigStore store, VmId vmId, String content, GadgetConfig config,
                          boolean allowDuplicates) implements Step<Object> {
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
        if (!store.onClusterFs()) {
            lines.add("chmod 600 " + file);
        }
        return lines;
    }

    @Override
    public void apply(Object context) {
        try (Lock lock = store.lockIdentities()) {
            List<Collisions.Collision> taken = Collisions.of(config, store.loadOthers(vmId));
            if (!allowDuplicates && !taken.isEmpty()) {
                throw ToolException.refused(store.fileOf(vmId) + " not written: meanwhile another config took "
                        + Collisions.describe(taken) + "; run the command again");
            }
            store.write(vmId, content);
        }
    }
}
