package io.github.pveusbgadget.proxmox;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.config.VmId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Pure planning of the cluster USB resource mapping that passes a drive through on every node
 * ({@code /cluster/mapping/usb}, pve-guest-common's {@code PVE::Mapping::USB}): one {@code map} entry
 * {@code node=N,id=VVVV:PPPP} per node (qemu-server refuses more than one per node), the same id everywhere, since
 * the drive's VID:PID is cluster-wide.
 */
public final class UsbMapping {
    /** {@code pve-configid}, as {@code PVE::JSONSchema::pve_verify_configid} checks it. */
    private static final Pattern CONFIG_ID = Pattern.compile("[a-z][a-z0-9_-]+", Pattern.CASE_INSENSITIVE);

    private UsbMapping() {
    }

    /** The mapping {@code attach --mapping} uses without an id. */
    public static String defaultId(VmId vmId) {
        return "pve-usb-gadget-" + vmId;
    }

    /** Refuses an id qemu-server and pve-manager would refuse. */
    public static String validId(String id) {
        if (!CONFIG_ID.matcher(id).matches()) {
            throw ToolException.badInput("--mapping " + id + " is not a valid mapping id: Proxmox allows a letter, "
                    + "then letters, digits, '-' or '_' (at least 2 characters)");
        }
        return id;
    }

    /** The ids of {@code mappings} that map {@code usbId} on some node. */
    public static Set<String> mappingsOf(Map<String, List<String>> mappings, String usbId) {
        Set<String> ids = new TreeSet<>();
        mappings.forEach((id, entries) -> {
            if (entries.stream().anyMatch(e -> idOf(e).equals(Optional.of(usbId)))) {
                ids.add(id);
            }
        });
        return ids;
    }

    /**
     * The {@code pvesh} command that makes mapping {@code id} give every one of {@code nodes} the device
     * {@code usbId}, or empty when it already does. Entries for other nodes are kept; a node mapped to another
     * device is refused unless {@code force} (it would hand the VM a different device there).
     */
    public static Optional<List<String>> plan(VmId vmId, String id, Optional<List<String>> existing,
                                              List<String> nodes, String usbId, boolean force) {
        if (nodes.isEmpty()) {
            throw ToolException.refused("--mapping needs the cluster's nodes, and none is listed below /etc/pve/nodes"
                    + " (is pve-cluster running? check with: systemctl status pve-cluster)");
        }
        if (existing.isEmpty()) {
            return Optional.of(Pvesh.createMapping(id, nodes.stream().map(n -> Pvesh.mapEntry(n, usbId)).toList(),
                    "pve-usb-gadget: the USB drive of VM " + vmId));
        }
        Map<String, String> byNode = new LinkedHashMap<>();
        for (String entry : existing.get()) {
            byNode.put(Pvesh.property(entry, "node").orElse(entry), entry);
        }
        boolean changed = false;
        for (String node : nodes) {
            String entry = byNode.get(node);
            if (entry != null && idOf(entry).equals(Optional.of(usbId))) {
                continue;
            }
            if (entry != null && !force) {
                throw ToolException.refused("USB mapping '" + id + "' gives node " + node + " '" + entry
                        + "', not the drive " + usbId + "; name another --mapping, or take it over with --force");
            }
            byNode.put(node, Pvesh.mapEntry(node, usbId));
            changed = true;
        }
        return changed ? Optional.of(Pvesh.updateMapping(id, new ArrayList<>(byNode.values()))) : Optional.empty();
    }

    private static Optional<String> idOf(String entry) {
        return Pvesh.property(entry, "id").map(s -> s.toLowerCase(Locale.ROOT));
    }
}
