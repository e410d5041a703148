package io.github.pveusbgadget.proxmox;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The cluster's nodes as Proxmox's {@code PVE::Cluster::get_nodelist} has them, from pmxcfs's {@code .members}. */
class ClusterFsTest {
    private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());
    private final Path pve = fs.getPath("/etc/pve");

    @Test
    void theMembersNodeListWinsOverLeftoverNodeDirectories() throws Exception {
        for (String node : List.of("alpha", "beta", "gone")) {
            Files.createDirectories(pve.resolve("nodes").resolve(node));
        }
        assertThat(ClusterFs.nodes(pve, Optional.of("alpha"))).containsExactly("alpha", "beta", "gone");
        Files.writeString(pve.resolve(".members"), """
                {
                "nodename": "alpha",
                "version": 7,
                "cluster": { "name": "c", "version": 3, "nodes": 2, "quorate": 1 },
                "nodelist": {
                  "beta": { "id": 2, "online": 0},
                  "alpha": { "id": 1, "online": 1, "ip": "192.0.2.1"}
                  }
                }
                """);
        assertThat(ClusterFs.nodes(pve, Optional.of("alpha"))).containsExactly("alpha", "beta");
        // A node not (yet) in the list is alone, as get_nodelist answers.
        assertThat(ClusterFs.nodes(pve, Optional.of("new"))).containsExactly("new");
    }

    @Test
    void aSingleNodeIsItsOwnCluster() throws Exception {
        Files.createDirectories(pve);
        Files.writeString(pve.resolve(".members"), "{\n\"nodename\": \"pve\",\n\"version\": 0\n}\n");
        assertThat(ClusterFs.nodes(pve, Optional.of("pve"))).containsExactly("pve");
        assertThat(ClusterFs.members(pve)).contains(new ClusterFs.Members("pve", List.of()));
    }
}
