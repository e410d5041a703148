package io.github.pveusbgadget.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pveusbgadget.testing.CliRun;
import io.github.pveusbgadget.testing.FakeKernel;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ImageBackupTest {
    private final FakeKernel kernel = new FakeKernel();

    @Test
    void copiesByteForByteWithAChecksumAndKeepsTheNewestN() throws Exception {
        Path image = kernel.image("flash.img", 3 * (1 << 20) + 17);
        try (FileChannel channel = FileChannel.open(image, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap("unRAID config".getBytes()), (1 << 20) + 5);
        }
        Instant t0 = Instant.parse("2026-11-21T10:00:00Z");
        for (int i = 0; i < 4; i++) {
            new ImageBackup(Clock.fixed(t0.plusSeconds(i), ZoneOffset.UTC)).backUp(image, 2);
        }
        assertThat(ImageBackup.copiesOf(image)).extracting(p -> p.getFileName().toString())
                .containsExactly("flash.img.20261121T100002Z", "flash.img.20261121T100003Z");
        Path newest = ImageBackup.copiesOf(image).get(1);
        assertThat(Arrays.equals(Files.readAllBytes(newest), Files.readAllBytes(image))).isTrue();
        assertThat(Files.readString(newest.resolveSibling(newest.getFileName() + ".sha256")))
                .matches("[0-9a-f]{64}  flash.img.20261121T100003Z\n");
        try (var files = Files.list(image.getParent())) {
            assertThat(files.filter(p -> p.getFileName().toString().endsWith(".sha256"))).hasSize(2);
        }
    }

    @Test
    void postStopStartsTheBackupInTheBackgroundAndBackupMakesIt() throws Exception {
        kernel.image("100.img", 4096);
        kernel.config(100, "image = /images/100.img\nproduct_id = 0x4000\nserial = B1\nbackup_keep = 3\n");
        CliRun.run(kernel, "up", "100");
        CliRun backupWhileUp = CliRun.run(kernel, "backup", "100");
        assertThat(backupWhileUp.exitCode()).isEqualTo(1);
        assertThat(CliRun.errorLines(backupWhileUp)).singleElement().asString()
                .contains("/images/100.img: the gadget pve-usb-gadget-100 serves it");

        CliRun stop = CliRun.run(kernel, "hook", "100", "post-stop");
        assertThat(stop.exitCode()).as(stop.toString()).isZero();
        assertThat(ImageBackup.copiesOf(kernel.path("/images/100.img"))).as("not in the hook").isEmpty();
        assertThat(kernel.commands()).last().asString().startsWith("sh -c ")
                .contains("setsid -f").endsWith("/run/pve-usb-gadget/100.backup.log /usr/bin/pve-usb-gadget "
                        + "--config-dir /etc/pve-usb-gadget --configfs /sys/kernel/config --sysfs /sys --procfs /proc "
                        + "--devfs /dev --lock-file /run/lock/pve-usb-gadget.lock --state-dir /run/pve-usb-gadget "
                        + "--qemu-run-dir /var/run/qemu-server --qemu-lock-dir /var/lock/qemu-server --pmxcfs /etc/pve backup 100");

        CliRun backup = CliRun.run(kernel, "backup", "100");
        assertThat(backup.exitCode()).as(backup.toString()).isZero();
        assertThat(ImageBackup.copiesOf(kernel.path("/images/100.img"))).hasSize(1);
        assertThat(Files.exists(kernel.path("/run/pve-usb-gadget/100.backup"))).as("job file removed").isFalse();
    }

    @Test
    void withSystemdTheBackupIsATransientUnitWithTheLaunchersVariables() throws Exception {
        kernel.image("100.img", 4096);
        kernel.config(100, "image = /images/100.img\nproduct_id = 0x4000\nserial = B1\nbackup_keep = 1\n");
        kernel.variable("PVE_USB_GADGET", "/opt/launcher");
        kernel.variable("PVE_USB_GADGET_JAR", "/opt/x.jar");
        Files.createDirectories(kernel.path("/run/systemd/system"));
        CliRun.run(kernel, "up", "100");
        assertThat(CliRun.run(kernel, "down", "100").exitCode()).isZero();
        assertThat(kernel.commands()).last().asString().startsWith("systemd-run --unit=pve-usb-gadget-backup-100 "
                + "--collect --quiet").contains(" --setenv=PVE_USB_GADGET_JAR=/opt/x.jar -- /opt/launcher --config-dir ")
                .endsWith(" backup 100");
    }

    @Test
    void aBackupThatCannotWriteFailsInOneLine() throws Exception {
        kernel.image("100.img", 4096);
        kernel.config(100, "image = /images/100.img\nproduct_id = 0x4000\nserial = B1\nbackup_keep = 3\n");
        // In the way of the copy's partial file (the fake clock stands still while nothing waits).
        Files.createDirectory(kernel.path("/images/.100.img.20261121T120000Z.partial"));
        CliRun failing = CliRun.run(kernel, "backup", "100");
        assertThat(failing.exitCode()).as(failing.toString()).isEqualTo(1);
        assertThat(CliRun.errorLines(failing)).singleElement().asString().contains("backup of /images/100.img failed");
        assertThat(ImageBackup.copiesOf(kernel.path("/images/100.img"))).isEmpty();
    }

    @Test
    void anAbandonedCopyLeavesNoPartialAndKeepsTheOlderCopies() throws Exception {
        Path image = kernel.image("flash.img", 5 * (1 << 20));
        Instant t0 = Instant.parse("2026-11-21T10:00:00Z");
        new ImageBackup(Clock.fixed(t0, ZoneOffset.UTC)).backUp(image, 2);
        int[] blocks = {0};
        assertThatThrownBy(() -> new ImageBackup(Clock.fixed(t0.plusSeconds(9), ZoneOffset.UTC))
                .backUp(image, 2, () -> ++blocks[0] > 2)).isInstanceOf(ImageBackup.Abandoned.class);
        assertThat(blocks[0]).as("checked block by block").isEqualTo(3);
        assertThatThrownBy(() -> new ImageBackup(Clock.fixed(t0.plusSeconds(10), ZoneOffset.UTC))
                .backUp(image, 2, () -> ++blocks[0] > 3 + 80 + 1 + 2)).as("also while the copy is read back")
                .isInstanceOf(ImageBackup.Abandoned.class);
        assertThat(ImageBackup.copiesOf(image)).extracting(p -> p.getFileName().toString())
                .containsExactly("flash.img.20261121T100000Z");
        try (var files = Files.list(image.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".partial"));
        }
    }

    @Test
    void aPartialLeftByACopyThatDiedIsRemovedByTheNextOne() throws Exception {
        Path image = kernel.image("flash.img", 4096);
        Path stale = kernel.path("/images/.flash.img.20261120T090000Z.partial");
        Files.writeString(stale, "half");
        Path foreign = kernel.path("/images/.flash.img.notes.partial");
        Files.writeString(foreign, "not ours");
        new ImageBackup(Clock.systemUTC()).backUp(image, 1);
        assertThat(Files.exists(stale)).isFalse();
        assertThat(Files.exists(foreign)).isTrue();
    }
}
