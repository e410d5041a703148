package io.github.pveusbgadget.proxmox;

import io.github.pveusbgadget.config.VmId;
import io.github.pveusbgadget.plan.Shell;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether the hookscript volume of a VM resolves on the other nodes that may run it. Proxmox resolves it on the
 * node that starts the VM ({@code PVE::GuestHelpers::check_hookscript}: {@code pvesm path}, then the file must exist
 * and be executable, else the start fails with "script '...' does not exist"), so a storage that is not enabled on a
 * node, or not shared, needs the shim there too.
 */
public final class NodeCoverage {
    private NodeCoverage() {
    }

    /** How the shim gets onto a node that lacks it: the copy the .deb ships. */
    public static String installCommand(Path hookPath) {
        return "install -D -m 755 " + VmWiring.INSTALLED_HOOK + " " + Shell.quote(hookPath);
    }

    /** One-line notes on what {@code others} (the nodes besides this one) need before they can start VM {@code id}. */
    public static List<String> ofHookStorage(Pvesh.StorageInfo storage, List<String> others, VmId id, Path hookPath) {
        List<String> notes = new ArrayList<>();
        List<String> disabled = others.stream().filter(n -> !storage.enabledOn(n)).toList();
        if (!disabled.isEmpty()) {
            notes.add("storage " + storage.id() + " is not enabled on " + String.join(", ", disabled) + ": VM " + id
                    + " cannot start there (its hookscript does not resolve); add the node(s) in Datacenter > Storage >"
                    + " " + storage.id() + " > Nodes, or attach with --snippets naming a storage every node has");
        }
        List<String> enabled = others.stream().filter(storage::enabledOn).toList();
        if (!storage.shared() && !enabled.isEmpty()) {
            notes.add("storage " + storage.id() + " is per node (not shared): before VM " + id + " starts on "
                    + String.join(", ", enabled) + ", run there: " + installCommand(hookPath)
                    + " ('pve-usb-gadget check' lists the nodes that lack it)");
        }
        return notes;
    }
}
