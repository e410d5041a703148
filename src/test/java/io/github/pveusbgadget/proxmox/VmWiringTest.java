package io.github.pveusbgadget.proxmox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.config.VmId;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The pure planner behind attach and detach: observed {@code qm config} in, {@code qm set} options out. */
class VmWiringTest {
    private static final VmId VM = new VmId(100);
    private static final String ID = "1d6b:4000";
    private static final String HOOK = "local:snippets/pve-usb-gadget-hook";

    /** As {@code qm config 100} prints a VM made in the web UI (keys sorted, digest left out). */
    private static final String FRESH = """
            boot: order=scsi0;ide2;net0
            cores: 2
            ide2: local:iso/unRAIDServer.iso,media=cdrom,size=512M
            memory: 4096
            meta: creation-qemu=8.1.5,ctime=1716200000
            name: unraid
            net0: virtio=BC:24:11:2A:3B:4C,bridge=vmbr0,firewall=1
            numa: 0
            ostype: l26
            scsi0: local-lvm:vm-100-disk-0,iothread=1,size=32G
            scsihw: virtio-scsi-single
            smbios1: uuid=6f1b2c3d-0000-4000-8000-1234567890ab
            sockets: 1
            vmgenid: 0e1f2a3b-0000-4000-8000-abcdefabcdef
            """;

    private static VmWiring.AttachRequest request(Integer slot, boolean force) {
        return new VmWiring.AttachRequest(ID, Optional.ofNullable(slot), Optional.of(HOOK), force);
    }

    private static VmWiring.Change attach(String qmConfig, Integer slot, boolean force) {
        return VmWiring.planAttach(VM, VmConfig.parse(qmConfig), request(slot, force));
    }

    @Test
    void aFreshVmGetsHookscriptUsb0AndUsb0FirstInOneQmSet() {
        VmWiring.Change change = attach(FRESH, null, false);
        assertThat(change.options()).containsExactly("--hookscript", HOOK, "--usb0", "host=1d6b:4000,usb3=1",
                "--boot", "order=usb0;scsi0;ide2;net0");
        assertThat(change.slot()).contains("usb0");
    }

    @Test
    void anAttachedVmNeedsNothing() {
        String attached = FRESH.replace("boot: order=scsi0;ide2;net0", "boot: order=usb0;scsi0;ide2;net0")
                + "hookscript: " + HOOK + "\nusb0: host=1d6b:4000,usb3=1\n";
        assertThat(attach(attached, null, false).isEmpty()).isTrue();
    }

    @Test
    void otherUsbDevicesKeepTheirSlotsAndTheFirstFreeOneIsUsed() {
        String vm = FRESH + "usb0: host=046d:c52b\nusb1: spice,usb3=1\nusb3: mapping=dongle\n";
        assertThat(attach(vm, null, false).options()).containsSubsequence("--usb2", "host=1d6b:4000,usb3=1",
                "--boot", "order=usb2;scsi0;ide2;net0");
    }

    @Test
    void anOccupiedSlotIsOnlyTakenOverWithForce() {
        String vm = FRESH + "usb0: host=046d:c52b\n";
        assertThatThrownBy(() -> attach(vm, 0, false)).isInstanceOf(ToolException.class)
                .hasMessageContaining("usb0 is already 'host=046d:c52b'").hasMessageContaining("--force");
        assertThat(attach(vm, 0, true).options()).containsSubsequence("--usb0", "host=1d6b:4000,usb3=1");
        assertThat(attach(vm, 0, true).notes()).anyMatch(n -> n.contains("replacing usb0"));
    }

    @Test
    void theDriveAlreadyPassedThroughStaysOnItsSlotAndMovesOnlyWhenAsked() {
        String vm = FRESH.replace("order=scsi0", "order=scsi0;usb2") + "usb2: 1d6b:4000\n";
        assertThat(attach(vm, null, false).options()).containsExactly("--hookscript", HOOK, "--usb2",
                "host=1d6b:4000,usb3=1", "--boot", "order=usb2;scsi0;ide2;net0");
        assertThat(attach(vm, 0, false).options()).containsExactly("--hookscript", HOOK, "--usb0",
                "host=1d6b:4000,usb3=1", "--boot", "order=usb0;scsi0;ide2;net0", "--delete", "usb2");
    }

    @Test
    void aDifferentHookscriptIsRefusedWithHowToChainOrReplacedWithForce() {
        String vm = FRESH + "hookscript: local:snippets/backup-hook.pl\n";
        assertThatThrownBy(() -> attach(vm, null, false)).isInstanceOf(ToolException.class)
                .hasMessageContaining("already has hookscript local:snippets/backup-hook.pl")
                .hasMessageContaining("/usr/share/pve-usb-gadget/pve-usb-gadget-hook")
                .hasMessageContaining("--keep-hookscript").hasMessageContaining("--force")
                .extracting(e -> ((ToolException) e).exitCode()).isEqualTo(1);
        assertThat(attach(vm, null, true).options()).containsSubsequence("--hookscript", HOOK);
    }

    @Test
    void keepingTheHookscriptLeavesItAlone() {
        String vm = FRESH + "hookscript: local:snippets/backup-hook.pl\n";
        VmWiring.Change change = VmWiring.planAttach(VM, VmConfig.parse(vm),
                new VmWiring.AttachRequest(ID, Optional.empty(), Optional.empty(), false));
        assertThat(change.options()).containsExactly("--usb0", "host=1d6b:4000,usb3=1", "--boot",
                "order=usb0;scsi0;ide2;net0");
        assertThat(change.notes()).anyMatch(n -> n.contains("must run /usr/share/pve-usb-gadget/pve-usb-gadget-hook"));
    }

    @Test
    void ourHookscriptOnAnotherStorageIsMovedWithoutForce() {
        String vm = FRESH + "hookscript: nfs-snip:snippets/pve-usb-gadget-hook\n";
        assertThat(attach(vm, null, false).options()).containsSubsequence("--hookscript", HOOK);
    }

    @Test
    void aLegacyBootOrderIsConvertedWithTheDriveFirst() {
        String vm = FRESH.replace("boot: order=scsi0;ide2;net0", "boot: cdn\nbootdisk: scsi0") + "net1: e1000=x\n";
        assertThat(attach(vm, null, false).options()).containsSubsequence("--boot",
                "order=usb0;scsi0;ide2;net0;net1");
        String noBoot = FRESH.replace("boot: order=scsi0;ide2;net0\n", "");
        assertThat(attach(noBoot, null, false).options()).containsSubsequence("--boot", "order=usb0;scsi0;ide2;net0");
    }

    @Test
    void aSlotOutOfRangeIsBadUsage() {
        assertThatThrownBy(() -> attach(FRESH, 14, false)).isInstanceOf(ToolException.class)
                .extracting(e -> ((ToolException) e).exitCode()).isEqualTo(2);
    }

    @Test
    void detachUndoesAttach() {
        String attached = FRESH.replace("boot: order=scsi0;ide2;net0", "boot: order=usb1;scsi0;ide2;net0")
                + "hookscript: " + HOOK + "\nusb0: host=046d:c52b\nusb1: host=1d6b:4000,usb3=1\n";
        VmWiring.Change change = VmWiring.planDetach(VM, VmConfig.parse(attached), Optional.of(ID));
        assertThat(change.options()).containsExactly("--boot", "order=scsi0;ide2;net0", "--delete", "usb1,hookscript");
    }

    @Test
    void detachLeavesAForeignHookscriptAndOtherDevices() {
        String vm = FRESH + "hookscript: local:snippets/backup-hook.pl\nusb0: host=046d:c52b\n";
        VmWiring.Change change = VmWiring.planDetach(VM, VmConfig.parse(vm), Optional.of(ID));
        assertThat(change.isEmpty()).isTrue();
        assertThat(change.notes()).anyMatch(n -> n.contains("backup-hook.pl is not ours"));
    }

    @Test
    void detachOfABootOrderHoldingOnlyTheDriveDeletesIt() {
        String vm = "boot: order=usb0\nusb0: host=1d6b:4000,usb3=1\n";
        assertThat(VmWiring.planDetach(VM, VmConfig.parse(vm), Optional.of(ID)).options())
                .containsExactly("--delete", "usb0,boot");
    }

    @Test
    void pvesmStatusIsParsedAndTheStorageChosen() {
        String status = """
                Name             Type     Status           Total            Used       Available        %
                cephfs         cephfs   inactive               0               0               0    0.00%
                local             dir     active        98497780        12345678        81107652   12.53%
                snip              nfs     active       500000000        10000000       490000000    2.00%
                """;
        List<Pvesm.Storage> storages = Pvesm.parseStatus(status);
        assertThat(storages).extracting(Pvesm.Storage::name).containsExactly("cephfs", "local", "snip");
        assertThat(Pvesm.choose(storages, Optional.empty(), Optional.empty())).isEqualTo("local");
        assertThat(Pvesm.choose(storages, Optional.empty(), Optional.of("snip"))).isEqualTo("snip");
        assertThat(Pvesm.choose(storages, Optional.of("snip"), Optional.empty())).isEqualTo("snip");
        assertThatThrownBy(() -> Pvesm.choose(storages, Optional.of("cephfs"), Optional.empty()))
                .hasMessageContaining("not an active storage with content 'snippets'");
        assertThatThrownBy(() -> Pvesm.choose(List.of(), Optional.empty(), Optional.empty()))
                .hasMessageContaining("no active storage offers content 'snippets'");
    }

    @Test
    void usbEntriesAreReadWithOrWithoutHostPrefix() {
        assertThat(VmConfig.usbIdOf("host=1D6B:4000,usb3=1")).contains("1d6b:4000");
        assertThat(VmConfig.usbIdOf("1d6b:4000")).contains("1d6b:4000");
        assertThat(VmConfig.usbIdOf("host=1-2.3")).isEmpty();
        assertThat(VmConfig.usbIdOf("spice")).isEmpty();
    }
}
