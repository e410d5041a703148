package io.github.pveusbgadget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pveusbgadget.testing.CliRun;
import io.github.pveusbgadget.testing.FakeKernel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

/** The config dir on pmxcfs, and VID:PID, serial and image unique across every config in it (issues 13 and 14). */
class ClusterConfigTest {
    private static final String PVE_DIR = "/etc/pve/pve-usb-gadget";
    private final FakeKernel kernel = new FakeKernel();

    private CliRun run(String... args) {
        return CliRun.run(kernel, args);
    }

    @Test
    void theDefaultConfigDirIsOnPmxcfsWhereItIsMounted() {
        kernel.pmxcfs();
        CliRun init = run("init", "100", "--image", "/images/a.img");
        assertThat(init.exitCode()).as(init.toString()).isZero();
        assertThat(Files.exists(kernel.path(PVE_DIR + "/100.conf"))).isTrue();
        assertThat(Files.exists(kernel.path(FakeKernel.CONFIG_DIR + "/100.conf"))).isFalse();
        // The cluster lock was a directory below /etc/pve/priv/lock, as cfs_lock makes it, and is gone again.
        assertThat(Files.isDirectory(kernel.path("/etc/pve/priv/lock"))).isTrue();
        assertThat(Files.exists(kernel.path("/etc/pve/priv/lock/pve-usb-gadget-ids"))).isFalse();
        // pmxcfs refuses chmod, so the dry-run script has none.
        CliRun dryRun = run("init", "101", "--image", "/images/b.img", "--dry-run");
        assertThat(dryRun.out()).contains(PVE_DIR + "/101.conf").doesNotContain("chmod");
    }

    @Test
    void withoutPmxcfsTheDefaultIsNodeLocalAndTheVariableOrTheOptionOverrideIt() throws Exception {
        Files.createDirectories(kernel.path("/etc/pve"));
        assertThat(run("init", "100", "--image", "/images/a.img").exitCode()).isZero();
        assertThat(Files.exists(kernel.path(FakeKernel.CONFIG_DIR + "/100.conf"))).isTrue();
        kernel.pmxcfs().variable("PVE_USB_GADGET_CONFIG_DIR", "/srv/conf");
        assertThat(run("init", "101", "--image", "/images/b.img").exitCode()).isZero();
        assertThat(Files.exists(kernel.path("/srv/conf/101.conf"))).isTrue();
        assertThat(run("init", "102", "--image", "/images/c.img", "--config-dir", "/srv/other").exitCode()).isZero();
        assertThat(Files.exists(kernel.path("/srv/other/102.conf"))).isTrue();
    }

    @Test
    void aConfigWithPmxcfsOwnModeIsTrusted() throws Exception {
        kernel.pmxcfs();
        Path file = kernel.path(PVE_DIR + "/100.conf");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "image = /images/a.img\nproduct_id = 0x4000\nserial = ABC123\n");
        GroupPrincipal wwwData = kernel.fileSystem().getUserPrincipalLookupService()
                .lookupPrincipalByGroupName("www-data");
        Files.getFileAttributeView(file, PosixFileAttributeView.class).setGroup(wwwData);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        CliRun guid = run("guid", "100");
        assertThat(guid.exitCode()).as(guid.toString()).isZero();
        assertThat(guid.out()).contains("1D6B-4000-0000-000000ABC123");
    }

    @Test
    void initRefusesAnExplicitVidPidSerialOrImageAnotherConfigHasUnlessForced() {
        kernel.config(100, "image = /images/a.img\nproduct_id = 0x4000\nserial = ABC123\n");
        CliRun vidPid = run("init", "104", "--image", "/images/b.img", "--product-id", "0x4000");
        assertThat(vidPid.exitCode()).as(vidPid.toString()).isEqualTo(1);
        assertThat(vidPid.err()).contains("VM 104 would share VID:PID 1d6b:4000 (also VM 100's)", "--force");
        CliRun serial = run("init", "104", "--image", "/images/b.img", "--serial", "abc123");
        assertThat(serial.exitCode()).isEqualTo(1);
        assertThat(serial.err()).contains("serial abc123 (also VM 100's)");
        CliRun image = run("init", "104", "--image", "/images/a.img");
        assertThat(image.exitCode()).isEqualTo(1);
        assertThat(image.err()).contains("image /images/a.img (also VM 100's)");
        assertThat(Files.exists(kernel.path(FakeKernel.CONFIG_DIR + "/104.conf"))).isFalse();

        CliRun forced = run("init", "104", "--image", "/images/a.img", "--product-id", "0x4000", "--force");
        assertThat(forced.exitCode()).as(forced.toString()).isZero();
        assertThat(forced.out()).contains("warning: " + FakeKernel.CONFIG_DIR + "/104.conf duplicates VID:PID "
                + "1d6b:4000 (also VM 100's), image /images/a.img (also VM 100's)");
    }

    @Test
    void chosenIdentitiesAvoidEveryOtherConfig() throws Exception {
        kernel.config(100, "image = /images/a.img\nproduct_id = 0x4000\nserial = ABC123\n");
        assertThat(run("init", "101", "--image", "/images/b.img").exitCode()).isZero();
        assertThat(Files.readString(kernel.path(FakeKernel.CONFIG_DIR + "/101.conf"))).contains("product_id = 0x4001");
    }

    @Test
    void checkAndStatusFlagConfigsThatCollide() {
        kernel.config(100, "image = /images/a.img\nproduct_id = 0x4000\nserial = ABC123\n");
        kernel.config(101, "image = /images/a.img\nproduct_id = 0x4000\nserial = DEF456\n");
        kernel.config(102, "image = /images/c.img\nproduct_id = 0x4002\nserial = 123ABC\n");
        CliRun check = run("check");
        assertThat(check.exitCode()).isEqualTo(2);
        assertThat(check.out() + check.err()).contains("VM 100: " + FakeKernel.CONFIG_DIR
                + "/100.conf shares VID:PID 1d6b:4000 (also VM 101's), image /images/a.img (also VM 101's)");
        assertThat(check.out() + check.err()).contains("VM 101: ").doesNotContain("VM 102: " + FakeKernel.CONFIG_DIR
                + "/102.conf shares");
        CliRun status = run("status");
        assertThat(status.out()).contains("VM 101: shares VID:PID 1d6b:4000 (also VM 100's)")
                .doesNotContain("VM 102: shares");
        assertThat(run("status", "--json").out()).contains("shares VID:PID 1d6b:4000");
    }

    @Test
    void aClusterLockHeldElsewhereIsAskedToExpireAndWaitedForAtMostTenSeconds() throws Exception {
        kernel.pmxcfs();
        Path lock = kernel.path("/etc/pve/priv/lock/pve-usb-gadget-ids");
        Files.createDirectories(lock);
        CliRun init = run("init", "100", "--image", "/images/a.img");
        assertThat(init.exitCode()).as(init.toString()).isEqualTo(1);
        assertThat(init.err()).contains("cluster lock " + lock, "10 s");
        assertThat(Files.getLastModifiedTime(lock)).isEqualTo(FileTime.fromMillis(0));
        assertThat(Files.exists(kernel.path(PVE_DIR + "/100.conf"))).isFalse();
        Files.delete(lock);
        assertThat(run("init", "100", "--image", "/images/a.img").exitCode()).isZero();
    }

    @Test
    void aConfigLeftInTheOldNodeLocalDirIsNamedWithTheMoveThatFixesIt() {
        kernel.pmxcfs().config(100, "image = /images/a.img\nproduct_id = 0x4000\nserial = ABC123\n");
        CliRun up = run("up", "100");
        assertThat(up.exitCode()).isEqualTo(2);
        assertThat(up.err()).contains(PVE_DIR + "/100.conf: no such file, but " + FakeKernel.CONFIG_DIR
                + "/100.conf (the node-local dir of earlier versions) exists", "mkdir -p " + PVE_DIR + " && mv "
                + FakeKernel.CONFIG_DIR + "/100.conf " + PVE_DIR + "/");
    }
}
