package io.github.pveusbgadget.proxmox;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * This node's view of its Proxmox cluster, as pmxcfs shows it to every node without the network: the members
 * corosync has ({@code .members}), each node's directory ({@code nodes/<node>}).
 *
 * @param pmxcfs where pmxcfs is mounted ({@code /etc/pve}), if it is
 * @param self   this node's name ({@link ClusterFs#nodeName}), if known
 */
public record Cluster(Optional<Path> pmxcfs, Optional<String> self) {
    /** Every node of the cluster (one on a single node; none without pmxcfs). */
    public List<String> nodes() {
        return pmxcfs.map(pve -> ClusterFs.nodes(pve, self)).orElse(List.of());
    }

    /** The nodes other than this one. */
    public List<String> otherNodes() {
        return nodes().stream().filter(n -> !self.equals(Optional.of(n))).toList();
    }

    /** Whether the VM can run on more than one node. */
    public boolean multiNode() {
        return nodes().size() > 1;
    }

    /** {@code /etc/pve/nodes/<node>}: the node's own directory on pmxcfs. */
    public Optional<Path> nodeDir(String node) {
        return pmxcfs.map(pve -> pve.resolve("nodes").resolve(node));
    }
}
