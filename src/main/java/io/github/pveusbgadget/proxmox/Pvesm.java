package io.github.pveusbgadget.proxmox;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.host.CommandResult;
import io.github.pveusbgadget.host.CommandRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Proxmox's storage manager, {@code pvesm}: which storages hold snippets ({@code pvesm status --content snippets})
 * and where a volume lives on disk ({@code pvesm path <volid>}).
 */
public final class Pvesm {
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** One row of {@code pvesm status}: {@code Name Type Status Total Used Available %}. */
    public record Storage(String name, String type, String status) {
        public boolean active() {
            return "active".equals(status);
        }
    }

    private final CommandRunner runner;

    public Pvesm(CommandRunner runner) {
        this.runner = runner;
    }

    /** The storages whose content types include {@code snippets}. */
    public List<Storage> snippetStorages() {
        List<String> command = List.of("pvesm", "status", "--content", "snippets");
        CommandResult result = runner.run(command, TIMEOUT);
        if (!result.succeeded()) {
            throw ToolException.failed(String.join(" ", command) + " failed: " + result.lastLine(), null);
        }
        return parseStatus(result.output());
    }

    /** The file system path of volume {@code volid} ({@code local:snippets/x} is {@code /var/lib/vz/snippets/x}). */
    public String path(String volid) {
        List<String> command = List.of("pvesm", "path", volid);
        CommandResult result = runner.run(command, TIMEOUT);
        String path = result.lastLine();
        if (!result.succeeded() || !path.startsWith("/")) {
            throw ToolException.failed(String.join(" ", command) + " failed: " + path, null);
        }
        return path;
    }

    /** Parses the table {@code pvesm status} prints: a header line, then one storage per line. */
    public static List<Storage> parseStatus(String output) {
        List<Storage> storages = new ArrayList<>();
        for (String line : output.split("\n")) {
            String[] columns = line.strip().split("\\s+");
            if (columns.length < 3 || columns[0].equals("Name")) {
                continue;
            }
            storages.add(new Storage(columns[0], columns[1], columns[2]));
        }
        return storages;
    }

    /**
     * The storage to install the hookscript into: {@code requested} if given (it must offer snippets and be active),
     * else the one already holding our hookscript, else {@code local}, else the first active one.
     */
    public static String choose(List<Storage> storages, Optional<String> requested, Optional<String> current) {
        List<String> active = storages.stream().filter(Storage::active).map(Storage::name).toList();
        if (requested.isPresent()) {
            if (!active.contains(requested.get())) {
                throw ToolException.refused("storage '" + requested.get() + "' is not an active storage with "
                        + "content 'snippets' (pvesm status --content snippets lists: "
                        + (storages.isEmpty() ? "none" : storages.stream().map(s -> s.name() + " (" + s.status() + ")")
                        .collect(Collectors.joining(", "))) + "); add 'snippets' to its content types "
                        + "(Datacenter > Storage > Edit > Content, or pvesm set " + requested.get()
                        + " --content <its current types>,snippets)");
            }
            return requested.get();
        }
        if (current.isPresent() && active.contains(current.get())) {
            return current.get();
        }
        if (active.contains("local")) {
            return "local";
        }
        if (!active.isEmpty()) {
            return active.get(0);
        }
        throw ToolException.refused("no active storage offers content 'snippets', where Proxmox keeps hookscripts; "
                + "enable it on a directory storage, e.g. add 'Snippets' in Datacenter > Storage > local > Content "
                + "(or pvesm set local --content iso,vztmpl,backup,snippets), or name one with --snippets STORAGE");
    }
}
