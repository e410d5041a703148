package io.github.pveusbgadget.proxmox;

import io.github.pveusbgadget.host.HostRoots;
import io.github.pveusbgadget.kernel.MountTable;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
     * The nodes of the cluster: pmxcfs keeps a directory {@code nodes/<name>} for every member (a single node too),
     * readable on every node without the network.
     */
    public static List<String> nodes(Path pve) {
        try (Stream<Path> entries = Files.list(pve.resolve("nodes"))) {
            return entries.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * This node's name as Proxmox knows it ({@code PVE::INotify::nodename}: the host name up to its first dot), from
     * the kernel's {@code /proc/sys/kernel/hostname}.
     */
    public static Optional<String> nodeName(HostRoots roots) {
        try {
            String name = Files.readString(roots.proc().resolve("sys/kernel/hostname")).strip();
            int dot = name.indexOf('.');
            name = dot < 0 ? name : name.substring(0, dot);
            return name.isEmpty() ? Optional.empty() : Optional.of(name);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The pmxcfs mount {@code directory} is on, if any. */
    public static Optional<Path> holding(Path directory, Optional<Path> pmxcfs) {
        return pmxcfs.filter(pve -> directory.toAbsolutePath().normalize().startsWith(pve));
    }
}
