package io.github.pveusbgadget.proxmox;

import io.github.pveusbgadget.host.HostRoots;
import io.github.pveusbgadget.kernel.MountTable;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.util.Optional;

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

    /** {@code /etc/pve} when pmxcfs is mounted there (a FUSE mount, as {@code /proc/self/mountinfo} shows it). */
    public static Optional<Path> mountPoint(HostRoots roots, FileSystem fs) {
        Path pve = fs.getPath(MOUNT_POINT);
        return MountTable.read(roots.mountInfo()).hasMount(pve, FUSE) ? Optional.of(pve) : Optional.empty();
    }

    /** The default config dir: on pmxcfs when {@code pmxcfs} is mounted, else the node-local one. */
    public static Path defaultConfigDir(Optional<Path> pmxcfs, FileSystem fs) {
        return fs.getPath(pmxcfs.isPresent() ? CLUSTER_CONFIG_DIR : LOCAL_CONFIG_DIR);
    }

    /** The pmxcfs mount {@code directory} is on, if any. */
    public static Optional<Path> holding(Path directory, Optional<Path> pmxcfs) {
        return pmxcfs.filter(pve -> directory.toAbsolutePath().normalize().startsWith(pve));
    }
}
