package io.github.pveusbgadget.gadget;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pveusbgadget.testing.CliRun;
import io.github.pveusbgadget.testing.FakeKernel;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code up}/{@code down} against the configfs fake: the tree, the order, and every rule of PRODUCT.md. */
class UpDownTest {
    private static final String G = FakeKernel.CONFIGFS + "/usb_gadget/pve-usb-gadget-100";
    private final FakeKernel kernel = new FakeKernel();

    @BeforeEach
    void vm100() {
        kernel.image("100.img", 4096);
        kernel.config(100, "image = /images/100.img\nproduct_id = 0x4000\nserial = 00ABCDEF12\n"
                + "inquiry_vendor = SanDisk\ninquiry_product = Cruzer\ninquiry_revision = 1.26\n");
    }

    private void vm(long id, String image, String productId) {
        kernel.image(image, 4096);
        kernel.config(id, "image = /images/" + image + "\nproduct_id = " + productId + "\nserial = S" + id + "\n");
    }

    private CliRun run(String... args) {
        return CliRun.run(kernel, args);
    }

    @Test
    void upBuildsBindsAndWaitsForTheHost() throws Exception {
        CliRun up = run("up", "100");
        assertThat(up.exitCode()).as(up.toString()).isZero();
        assertThat(kernel.commands()).containsExactly("modprobe dummy_hcd", "modprobe libcomposite",
                "modprobe usb_f_mass_storage", "mount -t configfs none /sys/kernel/config");
        assertThat(kernel.read(G + "/idVendor")).isEqualTo("0x1d6b");
        assertThat(kernel.read(G + "/idProduct")).isEqualTo("0x4000");
        assertThat(kernel.read(G + "/strings/0x409/serialnumber")).isEqualTo("00ABCDEF12");
        assertThat(kernel.read(G + "/strings/0x409/manufacturer")).isEqualTo("pve-usb-gadget");
        assertThat(kernel.read(G + "/functions/mass_storage.0/lun.0/file")).isEqualTo("/images/100.img");
        assertThat(kernel.read(G + "/functions/mass_storage.0/lun.0/removable")).isEqualTo("1");
        assertThat(Files.readString(kernel.path(G + "/functions/mass_storage.0/lun.0/inquiry_string")))
                .isEqualTo("SanDisk Cruzer          1.26\n");
        assertThat(Files.readSymbolicLink(kernel.path(G + "/configs/c.1/mass_storage.0")))
                .isEqualTo(kernel.path(G + "/functions/mass_storage.0"));
        assertThat(kernel.read(G + "/max_speed")).isEqualTo("super-speed");
        assertThat(kernel.read(G + "/UDC")).isEqualTo("dummy_udc.0");
        assertThat(kernel.read("/sys/bus/usb/devices/1-1/serial")).isEqualTo("00ABCDEF12");
        assertThat(kernel.read("/sys/bus/usb/devices/1-1/idProduct")).isEqualTo("4000");
    }

    @Test
    void roAndCdromAreWrittenBeforeFileAndTheUdcLast() {
        run("up", "100");
        List<String> ops = kernel.configfsOps();
        int file = indexOf(ops, "lun.0/file ");
        assertThat(indexOf(ops, "lun.0/ro ")).isLessThan(file);
        assertThat(indexOf(ops, "lun.0/cdrom ")).isLessThan(file);
        assertThat(indexOf(ops, "symlink ")).isGreaterThan(file);
        assertThat(indexOf(ops, "/UDC dummy_udc.0")).isEqualTo(ops.size() - 1);
    }

    private static int indexOf(List<String> ops, String fragment) {
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i).contains(fragment)) {
                return i;
            }
        }
        throw new AssertionError("no operation containing '" + fragment + "' in " + ops);
    }

    @Test
    void upIsIdempotent() throws Exception {
        run("up", "100");
        List<String> before = kernel.snapshot(FakeKernel.CONFIGFS);
        int ops = kernel.configfsOps().size();
        CliRun again = run("up", "100");
        assertThat(again.exitCode()).isZero();
        assertThat(kernel.configfsOps()).hasSize(ops);
        assertThat(kernel.snapshot(FakeKernel.CONFIGFS)).isEqualTo(before);
    }

    @Test
    void upRepairsAHalfBuiltLeftover() throws Exception {
        kernel.environment();
        run("up", "100");
        run("down", "100");
        kernel.run(List.of("modprobe", "dummy_hcd"), null);
        kernel.run(List.of("modprobe", "libcomposite"), null);
        kernel.mkdir(kernel.path(G));
        kernel.write(kernel.path(G + "/idVendor"), "0x1234");
        kernel.mkdir(kernel.path(G + "/functions/mass_storage.0"));
        kernel.mkdir(kernel.path(G + "/configs/c.1"));
        CliRun up = run("up", "100");
        assertThat(up.exitCode()).as(up.toString()).isZero();
        assertThat(kernel.read(G + "/idVendor")).isEqualTo("0x1d6b");
        assertThat(kernel.read(G + "/UDC")).isEqualTo("dummy_udc.0");
    }

    @Test
    void downRemovesEverythingInTheKernelsOrderAndUnloadsTheModules() throws Exception {
        List<String> before = kernel.snapshot(FakeKernel.CONFIGFS);
        run("up", "100");
        kernel.configfsOps().clear();
        CliRun down = run("down", "100");
        assertThat(down.exitCode()).as(down.toString()).isZero();
        assertThat(kernel.configfsOps()).containsExactly(
                "write " + G + "/UDC ",
                "unlink " + G + "/configs/c.1/mass_storage.0",
                "rmdir " + G + "/configs/c.1/strings/0x409",
                "rmdir " + G + "/configs/c.1",
                "rmdir " + G + "/functions/mass_storage.0",
                "rmdir " + G + "/strings/0x409",
                "rmdir " + G);
        assertThat(kernel.snapshot(FakeKernel.CONFIGFS + "/usb_gadget")).containsExactly("/sys/kernel/config/usb_gadget/");
        assertThat(kernel.snapshot("/sys/bus/usb/devices")).containsExactly("/sys/bus/usb/devices/");
        assertThat(kernel.commands()).contains("modprobe -r usb_f_mass_storage", "modprobe -r libcomposite",
                "modprobe -r dummy_hcd");
        assertThat(kernel.moduleLoaded("dummy_hcd")).isFalse();
        assertThat(before).isNotNull();
    }

    @Test
    void downOfNothingSucceedsAndDownTwiceToo() {
        assertThat(run("down", "100").exitCode()).isZero();
        run("up", "100");
        assertThat(run("down", "100").exitCode()).isZero();
        assertThat(run("down", "100").exitCode()).isZero();
    }

    @Test
    void downKeepsTheModulesWhileAnotherGadgetIsLeft() throws Exception {
        vm(101, "101.img", "0x4001");
        run("up", "100");
        run("up", "101");
        run("down", "100");
        assertThat(kernel.moduleLoaded("dummy_hcd")).isTrue();
        assertThat(kernel.commands()).doesNotContain("modprobe -r dummy_hcd");
        assertThat(kernel.read(FakeKernel.CONFIGFS + "/usb_gadget/pve-usb-gadget-101/UDC")).isEqualTo("dummy_udc.1");
    }

    @Test
    void twoVmsGetDistinctUdcs() throws Exception {
        vm(101, "101.img", "0x4001");
        assertThat(run("up", "100").exitCode()).isZero();
        assertThat(run("up", "101").exitCode()).isZero();
        assertThat(kernel.read(G + "/UDC")).isEqualTo("dummy_udc.0");
        assertThat(kernel.read(FakeKernel.CONFIGFS + "/usb_gadget/pve-usb-gadget-101/UDC")).isEqualTo("dummy_udc.1");
    }

    @Test
    void noFreeUdcIsRefusedNamingTheModprobeSetting() throws Exception {
        kernel.udcs(1);
        vm(101, "101.img", "0x4001");
        run("up", "100");
        List<String> before = kernel.snapshot(FakeKernel.CONFIGFS);
        CliRun up = run("up", "101");
        assertThat(up.exitCode()).isEqualTo(1);
        assertThat(up.err()).contains("no free dummy UDC").contains("/etc/modprobe.d/pve-usb-gadget.conf")
                .contains("num=");
        assertThat(kernel.snapshot(FakeKernel.CONFIGFS)).isEqualTo(before);
    }

    @Test
    void aFailedUpLeavesNothingBehind() throws Exception {
        List<String> before = kernel.snapshot("/");
        kernel.hostEnumerates(false);
        CliRun up = run("up", "100");
        assertThat(up.exitCode()).isEqualTo(1);
        assertThat(up.err()).contains("the host did not enumerate 1d6b:4000 serial 00ABCDEF12 on dummy_hcd.0 within 10 s")
                .contains("enumerate_timeout in /etc/pve-usb-gadget/100.conf")
                .doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(kernel.snapshot(FakeKernel.CONFIGFS + "/usb_gadget")).containsExactly("/sys/kernel/config/usb_gadget/");
        assertThat(kernel.moduleLoaded("dummy_hcd")).isFalse();
        assertThat(kernel.moduleLoaded("libcomposite")).isFalse();
        assertThat(before).isNotEmpty();
    }

    @Test
    void aFailureInTheMiddleOfTheBuildIsRolledBack() throws Exception {
        kernel.failWhen(op -> op.startsWith("symlink "));
        CliRun up = run("up", "100");
        assertThat(up.exitCode()).isEqualTo(1);
        assertThat(up.err()).contains("ln -s").contains("Injected failure");
        assertThat(kernel.snapshot(FakeKernel.CONFIGFS + "/usb_gadget")).containsExactly("/sys/kernel/config/usb_gadget/");
    }

    @Test
    void refusesAnImageUsedByAnotherGadget() throws Exception {
        kernel.config(101, "image = /images/100.img\nproduct_id = 0x4001\nserial = S101\n");
        run("up", "100");
        List<String> before = kernel.snapshot(FakeKernel.CONFIGFS);
        CliRun up = run("up", "101");
        assertThat(up.exitCode()).isEqualTo(1);
        assertThat(up.err()).contains("image /images/100.img is already used by gadget pve-usb-gadget-100");
        assertThat(kernel.snapshot(FakeKernel.CONFIGFS)).isEqualTo(before);
    }

    @Test
    void refusesAnImageAttachedToALoopDevice() throws Exception {
        kernel.attachLoop("loop3", kernel.path("/images/100.img"));
        CliRun up = run("up", "100");
        assertThat(up.exitCode()).isEqualTo(1);
        assertThat(up.err()).contains("attached to /dev/loop3").contains("losetup -d /dev/loop3");
        assertThat(kernel.commands()).isEmpty();
    }

    @Test
    void refusesAVidPidThatAnotherBoundGadgetHas() throws Exception {
        vm(101, "101.img", "0x4000");
        run("up", "100");
        CliRun up = run("up", "101");
        assertThat(up.exitCode()).isEqualTo(1);
        assertThat(up.err()).contains("VID:PID 1d6b:4000 of VM 101 is already used by the bound gadget "
                + "pve-usb-gadget-100").contains("product_id in /etc/pve-usb-gadget/101.conf");
        assertThat(Files.exists(kernel.path(FakeKernel.CONFIGFS + "/usb_gadget/pve-usb-gadget-101"))).isFalse();
    }

    @Test
    void refusesAVidPidOfAPhysicalHostDevice() throws Exception {
        kernel.physicalUsbDevice("9-2", "1d6b", "4000");
        CliRun up = run("up", "100");
        assertThat(up.exitCode()).isEqualTo(1);
        assertThat(up.err()).contains("is also the host's USB device 9-2");
    }

    @Test
    void aMissingImageIsABadConfigurationWithNothingLoaded() {
        kernel.config(100, "image = /images/nope.img\nproduct_id = 0x4000\nserial = 1\n");
        CliRun up = run("hook", "100", "pre-start");
        assertThat(up.exitCode()).isEqualTo(2);
        assertThat(up.err().strip()).isEqualTo("pve-usb-gadget: image /images/nope.img does not exist (image in "
                + "/etc/pve-usb-gadget/100.conf); fix the path or create it with 'pve-usb-gadget image create'");
        assertThat(kernel.commands()).isEmpty();
    }

    @Test
    void aLiveMigrationTargetIsRefusedBeforeAnythingIsLoaded() {
        kernel.variable("PVE_MIGRATED_FROM", "pve1");
        CliRun start = run("hook", "100", "pre-start");
        assertThat(start.exitCode()).isEqualTo(1);
        assertThat(start.err().strip()).isEqualTo("pve-usb-gadget: VM 100 is being live-migrated here from node pve1: "
                + "its USB drive (image /images/100.img) cannot move with a running VM, because the gadget on pve1 "
                + "still serves the image until the VM stops there; migrate it offline instead: shut VM 100 down, "
                + "'qm migrate 100 <target>', then start it");
        assertThat(start.err()).doesNotContain("\tat ");
        assertThat(kernel.commands()).isEmpty();
        assertThat(kernel.configfsOps()).isEmpty();

        CliRun stop = run("hook", "100", "post-stop");
        assertThat(stop.exitCode()).as(stop.toString()).isZero();
    }

    @Test
    void aStartWithoutMigrationIgnoresABlankMigratedFrom() throws Exception {
        kernel.variable("PVE_MIGRATED_FROM", " ");
        CliRun start = run("hook", "100", "pre-start");
        assertThat(start.exitCode()).as(start.toString()).isZero();
        assertThat(kernel.read(G + "/UDC")).isEqualTo("dummy_udc.0");
    }

    @Test
    void neverTouchesOtherGadgets() throws Exception {
        kernel.run(List.of("modprobe", "dummy_hcd"), null);
        kernel.run(List.of("mount", "-t", "configfs", "none", FakeKernel.CONFIGFS), null);
        kernel.mkdir(kernel.path(FakeKernel.CONFIGFS + "/usb_gadget/g1"));
        kernel.write(kernel.path(FakeKernel.CONFIGFS + "/usb_gadget/g1/idVendor"), "0x0525");
        List<String> g1 = kernel.snapshot(FakeKernel.CONFIGFS + "/usb_gadget/g1");
        run("up", "100");
        run("down", "100");
        assertThat(kernel.snapshot(FakeKernel.CONFIGFS + "/usb_gadget/g1")).isEqualTo(g1);
        assertThat(kernel.configfsOps()).filteredOn(op -> op.contains("/g1")).hasSize(2);
        assertThat(kernel.moduleLoaded("dummy_hcd")).as("g1 still needs the modules").isTrue();
    }
}
