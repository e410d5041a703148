package io.github.pveusbgadget.check;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.github.pveusbgadget.json.JsonTree;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What one node can do for the cluster's drives, as its own {@code check} found it: written to
 * {@code /etc/pve/nodes/<node>/pve-usb-gadget.json} (pmxcfs, so every node reads it without the network, as HA's
 * {@code lrm_status} is shared), and read by {@code check} on the other nodes.
 *
 * @param node        the node's name
 * @param version     the {@code pve-usb-gadget} version installed there
 * @param time        when it was written (ISO-8601, UTC)
 * @param modules     kernel module to the fix for it, empty when available
 * @param hookscripts snippets storage to the path where the shim is an executable file on that node
 * @param images      vmid to what is wrong with its image on that node, empty when usable
 */
public record NodeReport(String node, String version, String time, Map<String, String> modules,
                         Map<String, String> hookscripts, Map<String, String> images) {
    /** The file's name in the node's directory. */
    public static final String FILE = "pve-usb-gadget.json";

    /** Writes it atomically to {@code nodeDir}/{@link #FILE} (pmxcfs renames atomically). */
    public void write(Path nodeDir) throws IOException {
        StringWriter text = new StringWriter();
        try (JsonGenerator json = new JsonFactory().createGenerator(text).useDefaultPrettyPrinter()) {
            json.writeStartObject();
            json.writeStringField("node", node);
            json.writeStringField("version", version);
            json.writeStringField("time", time);
            writeMap(json, "modules", modules);
            writeMap(json, "hookscripts", hookscripts);
            writeMap(json, "images", images);
            json.writeEndObject();
        }
        Path temp = nodeDir.resolve("." + FILE + ".tmp");
        Files.writeString(temp, text + "\n", StandardCharsets.UTF_8);
        Files.move(temp, nodeDir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void writeMap(JsonGenerator json, String name, Map<String, String> map) throws IOException {
        json.writeObjectFieldStart(name);
        for (Map.Entry<String, String> e : map.entrySet()) {
            json.writeStringField(e.getKey(), e.getValue());
        }
        json.writeEndObject();
    }

    /** The report in {@code nodeDir}; empty when there is none; an IOException when it cannot be read. */
    public static Optional<NodeReport> read(Path nodeDir) throws IOException {
        String text;
        try {
            text = Files.readString(nodeDir.resolve(FILE));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        Map<String, Object> o = JsonTree.object(JsonTree.parse(text))
                .orElseThrow(() -> new IOException("not a JSON object"));
        return Optional.of(new NodeReport(JsonTree.text(o, "node"), JsonTree.text(o, "version"),
                JsonTree.text(o, "time"), map(o.get("modules")), map(o.get("hookscripts")), map(o.get("images"))));
    }

    private static Map<String, String> map(Object value) {
        Map<String, String> map = new LinkedHashMap<>();
        JsonTree.object(value).ifPresent(o -> o.forEach((k, v) -> map.put(k, v == null ? "" : v.toString())));
        return map;
    }
}
