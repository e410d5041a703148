package io.github.pveusbgadget.proxmox;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.host.CommandResult;
import io.github.pveusbgadget.host.CommandRunner;
import io.github.pveusbgadget.json.JsonTree;
import io.github.pveusbgadget.plan.Shell;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Proxmox's API from the shell, {@code pvesh}: the cluster-wide storage configuration ({@code /storage/<id>}: is it
 * {@code shared}, on which {@code nodes}) and the USB resource mappings ({@code /cluster/mapping/usb}), as
 * pve-storage's and pve-manager's API handlers answer them with {@code --output-format json}.
 */
public final class Pvesh {
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** Where pve-manager keeps the USB resource mappings ({@code /etc/pve/mapping/usb.cfg}). */
    public static final String USB_MAPPINGS = "/cluster/mapping/usb";

    /**
     * A storage as {@code GET /storage/<id>} returns it.
     *
     * @param shared whether every node (of {@code nodes}) sees the same content (set by the admin for a dir storage,
     *               implied by pve-storage for NFS, CephFS, ...)
     * @param nodes  the nodes it is enabled on; empty: every node
     */
    public record StorageInfo(String id, String type, boolean shared, List<String> nodes) {
        /** Whether it is enabled on {@code node}. */
        public boolean enabledOn(String node) {
            return nodes.isEmpty() || nodes.contains(node);
        }
    }

    private final CommandRunner runner;

    public Pvesh(CommandRunner runner) {
        this.runner = runner;
    }

    /** Whether this host has {@code pvesh} (every Proxmox VE node has). */
    public boolean available() {
        return runner.isAvailable("pvesh");
    }

    /** {@code pvesh get /storage/<id>}. */
    public StorageInfo storage(String id) {
        Map<String, Object> object = JsonTree.object(get("/storage/" + id)).orElseThrow(() -> ToolException.failed(
                "pvesh get /storage/" + id + " did not answer an object", null));
        String nodes = JsonTree.text(object, "nodes");
        return new StorageInfo(id, JsonTree.text(object, "type"), JsonTree.truth(object, "shared"),
                nodes.isEmpty() ? List.of() : Arrays.stream(nodes.split("[,;\\s]+")).filter(n -> !n.isEmpty())
                        .toList());
    }

    /** Every USB resource mapping: id to its {@code map} entries ({@code node=N,id=VVVV:PPPP[,...]}). */
    public Map<String, List<String>> usbMappings() {
        Map<String, List<String>> mappings = new LinkedHashMap<>();
        for (Object entry : JsonTree.list(get(USB_MAPPINGS))) {
            JsonTree.object(entry).ifPresent(o -> mappings.put(JsonTree.text(o, "id"), JsonTree.list(o.get("map"))
                    .stream().map(String::valueOf).toList()));
        }
        return mappings;
    }

    /** {@code pvesh create /cluster/mapping/usb --id ID --map E...}: a new mapping. */
    public static List<String> createMapping(String id, List<String> entries, String description) {
        List<String> command = new ArrayList<>(List.of("pvesh", "create", USB_MAPPINGS, "--id", id));
        entries.forEach(e -> command.addAll(List.of("--map", e)));
        command.addAll(List.of("--description", description));
        return command;
    }

    /** {@code pvesh set /cluster/mapping/usb/ID --map E...}: replaces the mapping's entries. */
    public static List<String> updateMapping(String id, List<String> entries) {
        List<String> command = new ArrayList<>(List.of("pvesh", "set", USB_MAPPINGS + "/" + id));
        entries.forEach(e -> command.addAll(List.of("--map", e)));
        return command;
    }

    /** Runs a {@code pvesh} command that changes something. */
    public void run(List<String> command) {
        CommandResult result = runner.run(command, TIMEOUT);
        if (!result.succeeded()) {
            throw ToolException.failed(Shell.join(command) + " failed: " + result.lastLine(), null);
        }
    }

    private Object get(String path) {
        List<String> command = List.of("pvesh", "get", path, "--output-format", "json");
        CommandResult result = runner.run(command, TIMEOUT);
        if (!result.succeeded()) {
            throw ToolException.failed(String.join(" ", command) + " failed: " + result.lastLine(), null);
        }
        String output = result.output();
        int start = firstOf(output, '{', '[');
        try {
            return JsonTree.parse(start < 0 ? output : output.substring(start));
        } catch (IOException e) {
            throw ToolException.failed(String.join(" ", command) + " did not answer JSON: " + e.getMessage(), e);
        }
    }

    /** Where the JSON starts (pvesh may print a warning line on stderr before it). */
    private static int firstOf(String text, char a, char b) {
        int i = text.indexOf(a);
        int j = text.indexOf(b);
        return i < 0 ? j : j < 0 ? i : Math.min(i, j);
    }

    /** The {@code map} entry that gives {@code node} the device {@code usbId} ({@code vvvv:pppp}). */
    public static String mapEntry(String node, String usbId) {
        return "node=" + node + ",id=" + usbId;
    }

    /** The value of key {@code key} in a property string {@code a=1,b=2}. */
    public static Optional<String> property(String propertyString, String key) {
        for (String part : propertyString.split(",")) {
            int eq = part.indexOf('=');
            if (eq > 0 && part.substring(0, eq).strip().equals(key)) {
                return Optional.of(part.substring(eq + 1).strip());
            }
        }
        return Optional.empty();
    }
}
