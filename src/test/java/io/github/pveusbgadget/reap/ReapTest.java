package io.github.pveusbgadget.reap;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pveusbgadget.gadget.GadgetLifecycle;
import io.github.pveusbgadget.proxmox.VmConfigLock;
import io.github.pveusbgadget.testing.CliRun;
import io.github.pveusbgadget.testing.FakeKernel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code reap}: a gadget goes when its VM does not run and its start is over, never while its QEMU runs. */
class ReapTest {
    private static final String G = FakeKernel.CONFIGFS + "/usb_gadget/pve-usb-gadget-100";
    private static final String MARKER = "/run/pve-usb-gadget/100.up";
    private final FakeKernel kernel = new FakeKernel();

    @BeforeEach
    void vm100() {
        kernel.image("100.img", 4096);
        kernel.config(100, "image = /images/100.img\nproduct_id = 0x4000\nserial = R100\n");
    }

    private CliRun run(String... args) {
        return CliRun.run(kernel, args);
    }

    private void upThenWait(Duration wait) {
        assertThat(run("hook", "100", "pre-start").exitCode()).isZero();
        kernel.sleep(wait);
    }

    @Test
    void aFailedStartsGadgetGoesOnceTheGraceIsOver() throws Exception {
        upThenWait(GadgetLifecycle.START_GRACE.minusSeconds(1));
        assertThat(Files.exists(kernel.path(MARKER))).isTrue();
        CliRun early = run("reap");
        assertThat(early.exitCode()).isZero();
        assertThat(Files.isDirectory(kernel.path(G))).as("still starting: " + early).isTrue();

        kernel.sleep(Duration.ofSeconds(2));
        CliRun reap = run("reap");
        assertThat(reap.exitCode()).as(reap.toString()).isZero();
        assertThat(reap.err()).contains("VM 100 does not run (no QEMU behind /var/run/qemu-server/100.pid) and "
                + "its start is over: its gadget is an orphan: removing it");
        assertThat(Files.exists(kernel.path(G))).isFalse();
        assertThat(Files.exists(kernel.path(MARKER))).isFalse();
        assertThat(kernel.moduleLoaded("dummy_hcd")).as("down's module unload").isFalse();
    }

    @Test
    void aGadgetIsNeverReapedWhileItsQemuRuns() throws Exception {
        upThenWait(Duration.ofSeconds(5));
        kernel.qemu(100, 5000);
        kernel.sleep(Duration.ofHours(1));
        assertThat(run("reap").exitCode()).isZero();
        assertThat(kernel.read(G + "/UDC")).isEqualTo("dummy_udc.0");

        Files.delete(kernel.path("/proc/5000/cmdline")); // QEMU died; post-stop never came
        assertThat(run("reap").exitCode()).isZero();
        assertThat(Files.exists(kernel.path(G))).isFalse();
    }

    @Test
    void aStartInProgressKeepsTheGadgetPastTheGrace() throws Exception {
        upThenWait(Duration.ofMinutes(5));
        Path lockFile = kernel.path("/var/lock/qemu-server/lock-100.conf");
        Files.createDirectories(lockFile.getParent());
        Files.createFile(lockFile);
        Files.writeString(kernel.path("/proc/locks"), "1: FLOCK  ADVISORY  WRITE 31 "
                + VmConfigLock.procLocksId(lockFile) + " 0 EOF\n");
        CliRun dry = run("reap", "--dry-run");
        assertThat(dry.out()).contains("# Proxmox holds VM 100's config lock");
        assertThat(run("reap").exitCode()).isZero();
        assertThat(Files.isDirectory(kernel.path(G))).isTrue();
        Files.writeString(kernel.path("/proc/locks"), ""); // the start failed: qm start let go of the lock
        assertThat(run("reap").exitCode()).isZero();
        assertThat(Files.exists(kernel.path(G))).isFalse();
    }

    @Test
    void aGadgetWithoutMarkerAndWithoutQemuIsAnOrphanAtOnce() throws Exception {
        upThenWait(Duration.ZERO);
        Files.delete(kernel.path(MARKER)); // e.g. built by an earlier version, which wrote none
        assertThat(run("reap").exitCode()).isZero();
        assertThat(Files.exists(kernel.path(G))).isFalse();
    }

    @Test
    void dryRunPrintsTheVerdictsAndTheTeardownAndChangesNothing() throws Exception {
        upThenWait(Duration.ofMinutes(5));
        kernel.config(101, "image = /images/101.img\nproduct_id = 0x4001\nserial = R101\n");
        kernel.image("101.img", 4096);
        assertThat(run("up", "101").exitCode()).isZero();
        kernel.qemu(101, 5001);
        var before = kernel.snapshot(FakeKernel.CONFIGFS);
        CliRun dry = run("reap", "--dry-run");
        assertThat(dry.exitCode()).as(dry.toString()).isZero();
        assertThat(dry.out()).contains("# VM 100 does not run").contains("# VM 101 runs (QEMU pid 5001)")
                .contains("/usb_gadget/pve-usb-gadget-100/UDC").doesNotContain("pve-usb-gadget-101/UDC");
        assertThat(kernel.snapshot(FakeKernel.CONFIGFS)).isEqualTo(before);

        assertThat(run("reap", "101").exitCode()).as("only VM 101: it runs").isZero();
        assertThat(Files.exists(kernel.path(G))).isTrue();
        assertThat(run("reap").exitCode()).isZero();
        assertThat(Files.exists(kernel.path(G))).isFalse();
        assertThat(Files.exists(kernel.path(FakeKernel.CONFIGFS + "/usb_gadget/pve-usb-gadget-101"))).isTrue();
    }

    @Test
    void staleMarkersAreForgottenAndOtherGadgetsUntouched() throws Exception {
        upThenWait(Duration.ZERO);
        Files.createDirectories(kernel.path(FakeKernel.CONFIGFS + "/usb_gadget/g1"));
        Files.writeString(kernel.path("/run/pve-usb-gadget/7.up"), "keep_until=0\n");
        Files.writeString(kernel.path("/run/pve-usb-gadget/8.up"), "keep_until=99999999999\n");
        kernel.sleep(Duration.ofMinutes(1));
        assertThat(run("reap").exitCode()).isZero();
        assertThat(Files.exists(kernel.path("/run/pve-usb-gadget/7.up"))).isFalse();
        assertThat(Files.exists(kernel.path("/run/pve-usb-gadget/8.up"))).as("its time has not come").isTrue();
        assertThat(Files.isDirectory(kernel.path(FakeKernel.CONFIGFS + "/usb_gadget/g1"))).isTrue();
        assertThat(Files.exists(kernel.path(G))).isFalse();
    }

    @Test
    void aReapedGadgetGetsItsBackupAsAfterPostStop() {
        kernel.config(100, "image = /images/100.img\nproduct_id = 0x4000\nserial = R100\nbackup_keep = 1\n");
        upThenWait(Duration.ofMinutes(1));
        assertThat(run("reap").exitCode()).isZero();
        assertThat(kernel.commands()).last().asString().startsWith("sh -c ").endsWith(" backup 100");
    }

    @Test
    void postStopRemovesTheMarker() throws Exception {
        upThenWait(Duration.ZERO);
        assertThat(run("hook", "100", "post-stop").exitCode()).isZero();
        assertThat(Files.exists(kernel.path(MARKER))).isFalse();
    }

    @Test
    void aFailedUpLeavesNoMarker() {
        kernel.hostEnumerates(false);
        assertThat(run("hook", "100", "pre-start").exitCode()).isEqualTo(1);
        assertThat(Files.exists(kernel.path(G))).isFalse();
        assertThat(Files.exists(kernel.path(MARKER))).isFalse();
    }
}
