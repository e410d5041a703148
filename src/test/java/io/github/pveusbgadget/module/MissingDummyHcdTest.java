package io.github.pveusbgadget.module;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pveusbgadget.testing.CliRun;
import io.github.pveusbgadget.testing.FakeKernel;
import java.nio.file.Files;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code check} and {@code up} on a kernel without dummy_hcd name the kernel and the exact command. */
class MissingDummyHcdTest {
    private final FakeKernel kernel = new FakeKernel().withoutModule("dummy_hcd", "6.14.8-2-pve");

    @BeforeEach
    void vm() {
        ModuleHost.installDkmsSource(kernel);
        kernel.image("100.img", 4096);
        kernel.config(100, "image = /images/100.img\nproduct_id = 0x4000\nserial = abc\n");
    }

    @Test
    void withoutHeadersCheckSaysWhichHeadersToInstallThenTheDkmsCommand() {
        CliRun run = CliRun.run(kernel, "check", "100");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.out()).contains("FAIL  kernel module dummy_hcd: no dummy_hcd for the running kernel "
                + "6.14.8-2-pve: apt install proxmox-headers-6.14.8-2-pve (its hook then builds dummy_hcd; by hand: "
                + "dkms install pve-usb-gadget-dummy-hcd/1.0 -k 6.14.8-2-pve)\n");
    }

    @Test
    void withHeadersButNoSourceUpSaysTheBuildCommandWithASourceAndLeavesNothing() throws Exception {
        Files.createDirectories(kernel.path("/lib/modules/6.14.8-2-pve/build"));
        CliRun run = CliRun.run(kernel, "up", "100");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        // The task log goes to the same stream: the error is its last line, and one line.
        assertThat(CliRun.errorLines(run)).containsExactly("pve-usb-gadget: modprobe dummy_hcd failed: "
                + "modprobe: FATAL: Module dummy_hcd not found in directory /lib/modules/6.14.8-2-pve; "
                + "no dummy_hcd for the running kernel 6.14.8-2-pve: pve-usb-gadget module build --kernel "
                + "6.14.8-2-pve; it would use download of dummy_hcd.c v6.14.8 from git.kernel.org (needs the "
                + "network; kept in /var/cache/pve-usb-gadget-dummy-hcd)");
        assertThat(kernel.snapshot("/sys/kernel/config")).containsExactly("/sys/kernel/config/");
    }

    @Test
    void thePreStartHookSaysTheSameOffline() throws Exception {
        Files.createDirectories(kernel.path("/lib/modules/6.14.8-2-pve/build"));
        kernel.variable("DUMMY_HCD_OFFLINE", "1");
        CliRun run = CliRun.run(kernel, "hook", "100", "pre-start");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).contains("no dummy_hcd for the running kernel 6.14.8-2-pve: pve-usb-gadget module "
                + "build --kernel 6.14.8-2-pve --source /path/to/dummy_hcd.c|linux-6.14.N.tar.xz (none: no "
                + "DUMMY_HCD_SOURCE, no /usr/src/linux-source-6.14.tar.*, no /var/cache/pve-usb-gadget-dummy-hcd/"
                + "v6.14.8/dummy_hcd.c, downloads off; or apt install linux-source-6.14 where the distribution has "
                + "it)");
    }
}
