package io.github.pveusbgadget.proxmox;

import io.github.pveusbgadget.host.HostRoots;
import io.github.pveusbgadget.json.JsonTree;
import io.github.pveusbgadget.kernel.MountTable;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * pmxcfs, Proxmox's cluster file system: a FUSE mount on {@code /etc/pve} on every Proxmox VE node (a single node
 * too, in local mode), replicated to every node of the cluster. Where it is, the configs live on it, so a drive's
 * identity follows its VM to every node.
 */
public final class ClusterFs {
    /** Where Proxmox mounts pmxcfs. */
    public static final String MOUNT_POINT = "/etc/pve";
    /** The config dir on pmxcfs. */
    public static final String CLUSTER_CONFIG_DIR = MOUNT_POINT + "/pve-usb-gadget";
    /** The config dir of a host without pmxcfs. */
    public static final String LOCAL_CONFIG_DIR = "/etc/pve-usb-gadget";
    private static final String FUSE = "fuse";

    private ClusterFs() {
    }

    /**
     * {@code pve} ({@code /etc/pve}; a simulated cluster's elsewhere) when pmxcfs is mounted there (a FUSE mount, as
     * {@code /proc/self/mountinfo} shows it).
     */
    public static Optional<Path> mountPoint(HostRoots roots, Path pve) {
        return MountTable.read(roots.mountInfo()).hasMount(pve, FUSE) ? Optional.of(pve) : Optional.empty();
    }

    /** The default config dir: on pmxcfs when {@code pmxcfs} is mounted, else the node-local one. */
    public static Path defaultConfigDir(Optional<Path> pmxcfs, FileSystem fs) {
        return pmxcfs.map(pve -> pve.resolve(CLUSTER_CONFIG_DIR.substring(MOUNT_POINT.length() + 1)))
                .orElseGet(() -> fs.getPath(LOCAL_CONFIG_DIR));
    }

    /**
     * The cluster's nodes and this node's name, as pmxcfs publishes them in {@code .members} (a JSON file it makes
     * from corosync's membership: {@code nodename}, and {@code nodelist} with one member per node once the node is in
     * a cluster), if readable.
     */
    public record Members(String nodename, List<String> nodelist) {
    }

    /** {@code pve}/.members, parsed; empty when absent or unreadable. */
    public static Optional<Members> members(Path pve) {
        try {
            Optional<Map<String, Object>> o = JsonTree.object(JsonTree.parse(Files.readString(pve.resolve(".members"))));
            return o.filter(m -> !JsonTree.text(m, "nodename").isEmpty()).map(m -> new Members(
                    JsonTree.text(m, "nodename"), JsonTree.object(m.get("nodelist")).map(l -> l.keySet().stream()
                    .sorted().toList()).orElse(List.of())));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The nodes of the cluster as {@code PVE::Cluster::get_nodelist} has them: {@code .members}'s node list when it
     * names this node ({@code self}), else this node alone; without {@code .members}, the {@code nodes/<name>}
     * directories pmxcfs keeps for every node.
     */
    public static List<String> nodes(Path pve, Optional<String> self) {
        Optional<Members> members = members(pve);
        if (members.isPresent()) {
            String me = self.orElse(members.get().nodename());
            return members.get().nodelist().contains(me) ? members.get().nodelist() : List.of(me);
        }
        try (Stream<Path> entries = Files.list(pve.resolve("nodes"))) {
            return entries.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * This node's name as Proxmox knows it ({@code PVE::INotify::nodename}: the host name up to its first dot, from
     * the kernel's {@code /proc/sys/kernel/hostname}), else the {@code nodename} of pmxcfs's {@code .members}.
     */
    public static Optional<String> nodeName(HostRoots roots, Path pve) {
        try {
            String name = Files.readString(roots.proc().resolve("sys/kernel/hostname")).strip();
            int dot = name.indexOf('.');
            name = dot < 0 ? name : name.substring(0, dot);
            if (!name.isEmpty()) {
                return Optional.of(name);
            }
        } catch (IOException e) {
            // Then what pmxcfs says.
        }
        return members(pve).map(Members::nodename);
    }

    /** The pmxcfs mount {@code directory} is on, if any. */
    public static Optional<Path> holding(Path directory, Optional<Path> pmxcfs) {
        return pmxcfs.filter(pve -> directory.toAbsolutePath().normalize().startsWith(pve));
    }
}
