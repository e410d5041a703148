package io.github.pveusbgadget.gadget;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pveusbgadget.testing.CliRun;
import io.github.pveusbgadget.testing.FakeKernel;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code --dry-run} prints the exact steps as a runnable script and changes nothing. */
class DryRunTest {
    private static final String G = "/sys/kernel/config/usb_gadget/pve-usb-gadget-100";
    private final FakeKernel kernel = new FakeKernel();

    @BeforeEach
    void vm100() {
        kernel.image("100.img", 4096);
        kernel.config(100, "image = /images/100.img\nproduct_id = 0x4000\nserial = ABC\nread_only = true\n"
                + "max_speed = high\n");
    }

    @Test
    void upOnAFreshHostPrintsTheWholeScriptLineByLine() throws Exception {
        List<String> before = kernel.snapshot("/");
        CliRun run = CliRun.run(kernel, "up", "100", "--dry-run");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        List<String> lines = run.out().lines().filter(l -> !l.startsWith("#") && !l.startsWith("  ")
                && !l.equals("}") && !l.equals("usb_present() {")).toList();
        assertThat(lines).containsExactly(
                "set -eu",
                "modprobe dummy_hcd",
                "modprobe libcomposite",
                "modprobe usb_f_mass_storage",
                "mount -t configfs none /sys/kernel/config",
                "mkdir " + G,
                "printf '%s\\n' 0x1d6b > " + G + "/idVendor",
                "printf '%s\\n' 0x4000 > " + G + "/idProduct",
                "printf '%s\\n' 0x0100 > " + G + "/bcdDevice",
                "printf '%s\\n' 0x0200 > " + G + "/bcdUSB",
                "mkdir " + G + "/strings/0x409",
                "printf '%s\\n' ABC > " + G + "/strings/0x409/serialnumber",
                "printf '%s\\n' pve-usb-gadget > " + G + "/strings/0x409/manufacturer",
                "printf '%s\\n' 'Virtual Flash' > " + G + "/strings/0x409/product",
                "mkdir " + G + "/configs/c.1",
                "printf '%s\\n' 500 > " + G + "/configs/c.1/MaxPower",
                "mkdir " + G + "/configs/c.1/strings/0x409",
                "printf '%s\\n' 'Mass Storage' > " + G + "/configs/c.1/strings/0x409/configuration",
                "mkdir " + G + "/functions/mass_storage.0",
                "printf '%s\\n' 1 > " + G + "/functions/mass_storage.0/lun.0/ro",
                "printf '%s\\n' 0 > " + G + "/functions/mass_storage.0/lun.0/cdrom",
                "printf '%s\\n' 1 > " + G + "/functions/mass_storage.0/lun.0/removable",
                "printf '%s\\n' 0 > " + G + "/functions/mass_storage.0/lun.0/nofua",
                "printf '%s\\n' 'PVE     Virtual Flash   1.00' > " + G + "/functions/mass_storage.0/lun.0/inquiry_string",
                "printf '%s\\n' /images/100.img > " + G + "/functions/mass_storage.0/lun.0/file",
                "ln -s " + G + "/functions/mass_storage.0 " + G + "/configs/c.1/mass_storage.0",
                "printf '%s\\n' high-speed > " + G + "/max_speed",
                "printf '%s\\n' dummy_udc.0 > " + G + "/UDC",
                "i=0; while ! usb_present 1d6b 4000 ABC dummy_hcd.0; do",
                "done");
        assertThat(run.out()).startsWith("#!/bin/sh\n").contains("dummy_udc.0 is a prediction");
        assertThat(kernel.snapshot("/")).isEqualTo(before);
        assertThat(kernel.commands()).isEmpty();
    }

    @Test
    void downOfARunningGadgetPrintsTheTeardownAndChangesNothing() throws Exception {
        CliRun.run(kernel, "up", "100");
        List<String> before = kernel.snapshot("/");
        int commands = kernel.commands().size();
        CliRun run = CliRun.run(kernel, "hook", "100", "post-stop", "--dry-run");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out().lines().filter(l -> l.startsWith("printf") || l.startsWith("rm") || l.startsWith("sync")
                || l.startsWith("modprobe"))).containsExactly(
                "sync # flush the host's cache of /dev/sdb (POSIX sync flushes every file system)",
                "printf '%s\\n' '' > " + G + "/UDC",
                "rm " + G + "/configs/c.1/mass_storage.0",
                "rmdir " + G + "/configs/c.1/strings/0x409",
                "rmdir " + G + "/configs/c.1",
                "rmdir " + G + "/functions/mass_storage.0",
                "rmdir " + G + "/strings/0x409",
                "rmdir " + G,
                "sync # flush /images/100.img to stable storage",
                "modprobe -r usb_f_mass_storage || true",
                "modprobe -r libcomposite || true",
                "modprobe -r dummy_hcd || true");
        assertThat(kernel.snapshot("/")).isEqualTo(before);
        assertThat(kernel.commands()).hasSize(commands);
    }

    @Test
    void upOfARunningGadgetOnlyWaits() {
        CliRun.run(kernel, "up", "100");
        CliRun run = CliRun.run(kernel, "up", "100", "--dry-run");
        assertThat(run.out()).contains("# gadget pve-usb-gadget-100 is already up on dummy_udc.0")
                .doesNotContain("mkdir").doesNotContain("modprobe");
    }
}
