package io.github.pveusbgadget.proxmox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.config.VmId;
import io.github.pveusbgadget.host.CommandResult;
import io.github.pveusbgadget.host.CommandRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The cluster USB mapping of a drive (one {@code node=N,id=VVVV:PPPP} entry per node, as pve-guest-common's
 * {@code PVE::Mapping::USB} keeps it), its wiring as {@code usbN: mapping=ID}, and {@code pvesh}'s answers.
 */
class UsbMappingTest {
    private static final VmId VM = new VmId(100);
    private static final String ID = "1d6b:4000";
    private static final List<String> NODES = List.of("alpha", "beta");

    @Test
    void aNewMappingGetsAnEntryForEveryNode() {
        assertThat(UsbMapping.plan(VM, "pve-usb-gadget-100", Optional.empty(), NODES, ID, false)).contains(List.of(
                "pvesh", "create", "/cluster/mapping/usb", "--id", "pve-usb-gadget-100", "--map",
                "node=alpha,id=1d6b:4000", "--map", "node=beta,id=1d6b:4000", "--description",
                "pve-usb-gadget: the USB drive of VM 100"));
    }

    @Test
    void aCompleteMappingIsLeftAloneAMissingNodeIsAddedAndOthersKept() {
        assertThat(UsbMapping.plan(VM, "m", Optional.of(List.of("node=alpha,id=1D6B:4000", "node=beta,id=1d6b:4000")),
                NODES, ID, false)).isEmpty();
        assertThat(UsbMapping.plan(VM, "m", Optional.of(List.of("node=old,id=1d6b:4000", "node=alpha,id=1d6b:4000")),
                NODES, ID, false)).contains(List.of("pvesh", "set", "/cluster/mapping/usb/m", "--map",
                "node=old,id=1d6b:4000", "--map", "node=alpha,id=1d6b:4000", "--map", "node=beta,id=1d6b:4000"));
    }

    @Test
    void aNodeMappedToAnotherDeviceIsRefusedUnlessForced() {
        Optional<List<String>> existing = Optional.of(List.of("node=alpha,id=046d:c52b"));
        assertThatThrownBy(() -> UsbMapping.plan(VM, "m", existing, NODES, ID, false))
                .isInstanceOf(ToolException.class)
                .hasMessageContaining("USB mapping 'm' gives node alpha 'node=alpha,id=046d:c52b', not the drive "
                        + "1d6b:4000");
        assertThat(UsbMapping.plan(VM, "m", existing, NODES, ID, true)).contains(List.of("pvesh", "set",
                "/cluster/mapping/usb/m", "--map", "node=alpha,id=1d6b:4000", "--map", "node=beta,id=1d6b:4000"));
    }

    @Test
    void idsAreProxmoxConfigIdsAndNodesMustBeKnown() {
        assertThat(UsbMapping.validId("pve-usb-gadget-100")).isEqualTo("pve-usb-gadget-100");
        for (String bad : List.of("1abc", "a", "a.b", "a b", "")) {
            assertThatThrownBy(() -> UsbMapping.validId(bad)).hasMessageContaining("not a valid mapping id");
        }
        assertThatThrownBy(() -> UsbMapping.plan(VM, "m", Optional.empty(), List.of(), ID, false))
                .hasMessageContaining("/etc/pve/nodes");
    }

    @Test
    void theMappingsOfADriveAreThoseWithAnEntryForIt() {
        assertThat(UsbMapping.mappingsOf(Map.of("a", List.of("node=x,id=1d6b:4000"), "b", List.of("node=x,id=1d6b:4001"),
                "c", List.of("node=x,id=1D6B:4000,path=1-2")), ID)).containsExactly("a", "c");
    }

    @Test
    void attachWiresTheSlotThroughTheMappingAndFindsItAgain() {
        String vm = "boot: order=scsi0\nostype: l26\nscsi0: local-lvm:vm-100-disk-0\n";
        VmWiring.Change change = VmWiring.planAttach(VM, VmConfig.parse(vm), new VmWiring.AttachRequest(ID,
                Optional.empty(), Optional.empty(), false, Optional.of("m"), Set.of()));
        assertThat(change.options()).containsExactly("--usb0", "mapping=m,usb3=1", "--boot", "order=usb0;scsi0");
        // From host= to the mapping: the same slot.
        VmConfig host = VmConfig.parse(vm.replace("order=scsi0", "order=usb0;scsi0") + "usb0: host=1d6b:4000,usb3=1\n");
        assertThat(VmWiring.planAttach(VM, host, new VmWiring.AttachRequest(ID, Optional.empty(), Optional.empty(),
                false, Optional.of("m"), Set.of())).options()).containsExactly("--usb0", "mapping=m,usb3=1");
        VmConfig mapped = VmConfig.parse(vm.replace("order=scsi0", "order=usb0;scsi0") + "usb0: mapping=m,usb3=1\n");
        assertThat(mapped.usbSlotFor(ID, Set.of("m"))).contains("usb0");
        assertThat(mapped.usbSlotFor(ID)).isEmpty();
        assertThat(VmWiring.planAttach(VM, mapped, new VmWiring.AttachRequest(ID, Optional.empty(), Optional.empty(),
                false, Optional.of("m"), Set.of("m"))).isEmpty()).isTrue();
        VmWiring.Change detach = VmWiring.planDetach(VM, mapped, Optional.of(ID), Set.of("m"));
        assertThat(detach.options()).containsExactly("--boot", "order=scsi0", "--delete", "usb0");
        assertThat(detach.notes()).containsExactly("USB mapping m stays (cluster-wide; it may serve other VMs): "
                + "remove it with pvesh delete /cluster/mapping/usb/m");
        // Another VM's mapping in usb0 is not the drive: attach takes the next slot.
        VmConfig other = VmConfig.parse(vm + "usb0: mapping=dongle\n");
        assertThat(VmWiring.planAttach(VM, other, new VmWiring.AttachRequest(ID, Optional.empty(), Optional.empty(),
                false, Optional.of("m"), Set.of())).slot()).contains("usb1");
    }

    @Test
    void pveshAnswersAreReadAsPveStorageAndPveManagerWriteThem() {
        CommandRunner runner = new CommandRunner() {
            @Override
            public CommandResult run(List<String> command, Duration timeout) {
                String path = command.get(2);
                return new CommandResult(0, switch (path) {
                    case "/storage/local" -> "{\"content\":\"iso,snippets\",\"digest\":\"x\",\"path\":\"/var/lib/vz\","
                            + "\"storage\":\"local\",\"type\":\"dir\"}";
                    case "/storage/nfs" -> "{\"type\":\"nfs\",\"shared\":1,\"nodes\":\"alpha,beta\"}";
                    case "/cluster/mapping/usb" -> "[{\"id\":\"m\",\"map\":[\"node=alpha,id=1d6b:4000\"],"
                            + "\"digest\":\"d\"}]";
                    default -> "{}";
                }, false);
            }

            @Override
            public boolean isAvailable(String program) {
                return true;
            }
        };
        Pvesh pvesh = new Pvesh(runner);
        Pvesh.StorageInfo local = pvesh.storage("local");
        assertThat(local.shared()).isFalse();
        assertThat(local.enabledOn("beta")).isTrue();
        Pvesh.StorageInfo nfs = pvesh.storage("nfs");
        assertThat(nfs.shared()).isTrue();
        assertThat(nfs.enabledOn("gamma")).isFalse();
        assertThat(pvesh.usbMappings()).containsExactly(Map.entry("m", List.of("node=alpha,id=1d6b:4000")));
        assertThat(NodeCoverage.ofHookStorage(local, List.of("beta"), VM, Path.of("/var/lib/vz/snippets/h")))
                .containsExactly("storage local is per node (not shared): before VM 100 starts on beta, run there: "
                        + "install -D -m 755 /usr/share/pve-usb-gadget/pve-usb-gadget-hook /var/lib/vz/snippets/h "
                        + "('pve-usb-gadget check' lists the nodes that lack it)");
        assertThat(NodeCoverage.ofHookStorage(nfs, List.of("beta", "gamma"), VM, Path.of("/mnt/nfs/snippets/h")))
                .singleElement().asString().startsWith("storage nfs is not enabled on gamma: VM 100 cannot start");
    }
}
