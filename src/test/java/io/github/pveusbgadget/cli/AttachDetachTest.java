package io.github.pveusbgadget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pveusbgadget.testing.CliRun;
import io.github.pveusbgadget.testing.FakeKernel;
import io.github.pveusbgadget.testing.FakeProxmox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** attach, detach and check against recording qm/pvesm fakes that answer like Proxmox. */
class AttachDetachTest {
    private static final String VM = """
            boot: order=scsi0;ide2;net0
            cores: 2
            ide2: none,media=cdrom
            memory: 4096
            name: unraid
            net0: virtio=BC:24:11:2A:3B:4C,bridge=vmbr0,firewall=1
            ostype: l26
            scsi0: local-lvm:vm-100-disk-0,iothread=1,size=32G
            scsihw: virtio-scsi-single
            """;
    private static final String SHIM = "/var/lib/vz/snippets/pve-usb-gadget-hook";

    private final FakeKernel kernel = new FakeKernel();
    private final FakeProxmox pve = new FakeProxmox(kernel).vm(100, VM);

    @Test
    void attachWiresAFreshVmInOneQmSetAndIsIdempotent() throws Exception {
        kernel.image("100.img", 4096);
        CliRun run = pve.run("attach", "100", "--image", "/images/100.img");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(Files.readString(kernel.path("/etc/pve-usb-gadget/100.conf"))).contains("image = /images/100.img",
                "product_id = 0x4000");
        Path shim = kernel.path(SHIM);
        assertThat(Files.readString(shim)).startsWith("#!/bin/sh").contains("exec $PVE_USB_GADGET hook");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(shim))).isEqualTo("rwxr-xr-x");
        assertThat(pve.calls()).containsExactly(
                List.of("qm", "config", "100"),
                List.of("pvesm", "status", "--content", "snippets"),
                List.of("pvesm", "path", "local:snippets/pve-usb-gadget-hook"),
                List.of("qm", "set", "100", "--hookscript", "local:snippets/pve-usb-gadget-hook", "--usb0",
                        "host=1d6b:4000,usb3=1", "--boot", "order=usb0;scsi0;ide2;net0"));
        assertThat(pve.vmConfig(100)).containsEntry("usb0", "host=1d6b:4000,usb3=1")
                .containsEntry("boot", "order=usb0;scsi0;ide2;net0");
        String conf = Files.readString(kernel.path("/etc/pve-usb-gadget/100.conf"));

        CliRun again = pve.run("attach", "100", "--image", "/images/100.img");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(pve.qmSets()).hasSize(1);
        assertThat(Files.readString(kernel.path("/etc/pve-usb-gadget/100.conf"))).isEqualTo(conf);
        assertThat(again.out()).contains("keeping /etc/pve-usb-gadget/100.conf");

        CliRun check = pve.run("check", "100");
        assertThat(check.out()).contains("ok    VM 100: usb0 passes 1d6b:4000 through",
                "ok    VM 100: boot order usb0;scsi0;ide2;net0", "ok    VM 100: hookscript local:snippets/");
    }

    @Test
    void aForeignHookscriptIsRefusedAndNothingChanges() throws Exception {
        pve.vm(100, VM + "hookscript: local:snippets/backup.pl\n");
        Map<String, String> before = Map.copyOf(pve.vmConfig(100));
        var fsBefore = kernel.snapshot("/");
        CliRun run = pve.run("attach", "100", "--image", "/images/100.img");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("already has hookscript local:snippets/backup.pl", "--force",
                "/usr/share/pve-usb-gadget/pve-usb-gadget-hook");
        assertThat(run.err().lines().count()).isEqualTo(1);
        assertThat(pve.qmSets()).isEmpty();
        assertThat(pve.vmConfig(100)).isEqualTo(before);
        assertThat(kernel.snapshot("/")).isEqualTo(fsBefore);

        CliRun forced = pve.run("attach", "100", "--image", "/images/100.img", "--force");
        assertThat(forced.exitCode()).as(forced.toString()).isZero();
        assertThat(pve.vmConfig(100)).containsEntry("hookscript", "local:snippets/pve-usb-gadget-hook");
    }

    @Test
    void keepHookscriptWiresOnlyTheUsbAndTheBootOrder() {
        pve.vm(100, VM + "hookscript: local:snippets/backup.pl\nusb0: host=046d:c52b\n");
        CliRun run = pve.run("attach", "100", "--image", "/images/100.img", "--keep-hookscript");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(pve.qmSets()).containsExactly(List.of("qm", "set", "100", "--usb1", "host=1d6b:4000,usb3=1",
                "--boot", "order=usb1;scsi0;ide2;net0"));
        assertThat(pve.vmConfig(100)).containsEntry("hookscript", "local:snippets/backup.pl")
                .containsEntry("usb0", "host=046d:c52b");
    }

    @Test
    void anOccupiedSlotNeedsForce() {
        pve.vm(100, VM + "usb2: host=046d:c52b\n");
        CliRun run = pve.run("attach", "100", "--image", "/images/100.img", "--usb-slot", "2");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("usb2 is already 'host=046d:c52b'");
        assertThat(Files.exists(kernel.path("/etc/pve-usb-gadget/100.conf"))).isFalse();
        assertThat(pve.run("attach", "100", "--image", "/images/100.img", "--usb-slot", "2", "--force").exitCode())
                .isZero();
        assertThat(pve.vmConfig(100)).containsEntry("usb2", "host=1d6b:4000,usb3=1");
    }

    @Test
    void dryRunChangesNothingAndPrintsTheSteps() throws Exception {
        var fsBefore = kernel.snapshot("/");
        CliRun run = pve.run("attach", "100", "--image", "/images/100.img", "--dry-run");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).startsWith("#!/bin/sh\n").contains("cat > /etc/pve-usb-gadget/100.conf",
                "chmod 755 " + SHIM,
                "qm set 100 --hookscript local:snippets/pve-usb-gadget-hook --usb0 host=1d6b:4000,usb3=1 "
                        + "--boot 'order=usb0;scsi0;ide2;net0'");
        assertThat(kernel.snapshot("/")).isEqualTo(fsBefore);
        assertThat(pve.qmSets()).isEmpty();
    }

    @Test
    void noSnippetsStorageSaysHowToEnableOne() {
        pve.noStorages();
        CliRun run = pve.run("attach", "100", "--image", "/images/100.img");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("no active storage offers content 'snippets'");
    }

    @Test
    void anUnknownVmIsRefusedBeforeAnythingIsWritten() {
        CliRun run = pve.run("attach", "999", "--image", "/images/999.img");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("qm config 999 failed: Configuration file");
        assertThat(Files.exists(kernel.path("/etc/pve-usb-gadget/999.conf"))).isFalse();
    }

    @Test
    void attachWithoutQmIsRefused() {
        CliRun run = CliRun.run(kernel, "attach", "100", "--image", "/images/100.img");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("must run on the Proxmox VE node");
    }

    @Test
    void detachUndoesAttachAndKeepsTheIdentity() {
        assertThat(pve.run("attach", "100", "--image", "/images/100.img").exitCode()).isZero();
        CliRun run = pve.run("detach", "100");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(pve.qmSets().get(1)).containsExactly("qm", "set", "100", "--boot", "order=scsi0;ide2;net0",
                "--delete", "usb0,hookscript");
        assertThat(pve.vmConfig(100)).doesNotContainKeys("usb0", "hookscript")
                .containsEntry("boot", "order=scsi0;ide2;net0");
        assertThat(Files.exists(kernel.path("/etc/pve-usb-gadget/100.conf"))).isTrue();
        assertThat(pve.run("detach", "100").out()).contains("nothing to detach");
        assertThat(pve.qmSets()).hasSize(2);
    }

    @Test
    void checkReportsWhatIsMissing() {
        kernel.image("100.img", 4096);
        kernel.config(100, "image = /images/100.img\nproduct_id = 0x4000\nserial = abc\n");
        pve.vm(100, VM + "usb1: host=1d6b:4001\n");
        CliRun run = pve.run("check", "100");
        assertThat(run.out()).contains("FAIL  VM 100: no usbN entry for 1d6b:4000");
        assertThat(run.out()).contains("(mismatch: usb1 passes 1d6b:4001)",
                "FAIL  VM 100: hookscript (none): pve-usb-gadget attach 100");
        assertThat(run.exitCode()).isEqualTo(1);
    }

    @Test
    void checkAcceptsAForeignHookscriptThatChainsOurs() throws Exception {
        kernel.image("100.img", 4096);
        kernel.config(100, "image = /images/100.img\nproduct_id = 0x4000\nserial = abc\n");
        pve.vm(100, VM.replace("order=scsi0", "order=usb0;scsi0") + "usb0: host=1d6b:4000,usb3=1\n"
                + "hookscript: local:snippets/backup.pl\n");
        Files.createDirectories(kernel.path("/var/lib/vz/snippets"));
        Files.writeString(kernel.path("/var/lib/vz/snippets/backup.pl"), "#!/usr/bin/perl\n"
                + "system('/usr/share/pve-usb-gadget/pve-usb-gadget-hook', $vmid, $phase) == 0 or exit(1);\n");
        CliRun run = pve.run("check", "100");
        assertThat(run.out()).contains("ok    VM 100: hookscript local:snippets/backup.pl chains pve-usb-gadget-hook");
        Files.writeString(kernel.path("/var/lib/vz/snippets/backup.pl"), "#!/usr/bin/perl\nexit(0);\n");
        assertThat(pve.run("check", "100").out()).contains("FAIL  VM 100: hookscript local:snippets/backup.pl: "
                + "pve-usb-gadget attach 100 --force replaces it;");
    }

    @Test
    void checksBootOrderAdviceCanBePastedIntoAShell() {
        kernel.image("100.img", 4096);
        kernel.config(100, "image = /images/100.img\nproduct_id = 0x4000\nserial = abc\n");
        pve.vm(100, VM + "usb0: host=1d6b:4000,usb3=1\n");
        CliRun run = pve.run("check", "100");
        assertThat(run.out()).contains("put usb0 first: qm set 100 --boot 'order=usb0;scsi0");
    }

    @Test
    void attachDropsBootEntriesOfDevicesTheVmDoesNotHaveAsQmSetRefusesThem() {
        kernel.image("100.img", 4096);
        pve.vm(100, VM.replace("order=scsi0;ide2;net0", "order=sata1;scsi0;ide2;net0"));
        CliRun attach = pve.run("attach", "100", "--image", "/images/100.img", "--keep-hookscript");
        assertThat(attach.exitCode()).as(attach.toString()).isZero();
        assertThat(attach.out()).contains("dropping sata1 from the boot order: the VM has no such device");
        assertThat(pve.vmConfig(100)).containsEntry("boot", "order=usb0;scsi0;ide2;net0");
        assertThat(pve.qmSets().get(0)).contains("order=usb0;scsi0;ide2;net0");
        // The stand-in refuses such an order, as qemu-server does.
        assertThat(pve.run(List.of("qm", "set", "100", "--boot", "order=usb0;sata1"), Duration.ofSeconds(5))
                .lastLine()).isEqualTo("invalid bootorder: device 'sata1' does not exist'");
    }

    @Test
    void slotsAndUsb3AdviceFitTheMachineAndOsType() {
        kernel.image("100.img", 4096);
        kernel.config(100, "image = /images/100.img\nproduct_id = 0x4000\nserial = abc\n");
        String modern = VM.replace("order=scsi0", "order=usb0;scsi0") + "usb0: host=1d6b:4000\n";
        pve.vm(100, modern);
        assertThat(pve.run("check", "100").out()).contains("ok    VM 100: usb0 passes 1d6b:4000 through\n");
        String old = modern.replace("ostype: l26", "ostype: other");
        pve.vm(100, old);
        assertThat(pve.run("check", "100").out()).contains("without usb3=1: the VM sees it at USB 2 speed");
        pve.vm(100, old.replace("usb0: host=1d6b:4000\n", "usb7: host=1d6b:4000,usb3=1\n")
                .replace("order=usb0", "order=usb7"));
        assertThat(pve.run("check", "100").out()).contains("FAIL  VM 100: usb7 cannot start: usb5 and up need "
                + "machine type >= 7.1 and ostype l26 or windows > 7");
        pve.vm(100, VM.replace("ostype: l26", "ostype: other"));
        CliRun check = pve.run("check", "100");
        assertThat(check.out()).contains("(or: qm set 100 --usb0 host=1d6b:4000,usb3=1)");
        CliRun slot = pve.run("attach", "100", "--usb-slot", "7", "--keep-hookscript");
        assertThat(slot.exitCode()).isEqualTo(2);
        assertThat(slot.err()).contains("--usb-slot 7 does not fit VM 100: usb5 and up need machine type >= 7.1");
    }
}
