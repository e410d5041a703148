package io.github.pveusbgadget.gadget;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pveusbgadget.testing.CliRun;
import io.github.pveusbgadget.testing.FakeKernel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code pre-start} holds Proxmox's VM lock at most {@code enumerate_timeout} plus {@link GadgetLifecycle#SLACK}
 * (time measured on the fake's clock, which moves only while the code waits), and never builds a gadget on an image
 * that a backup still copies.
 */
class ShortHookTest {
    private static final String G = FakeKernel.CONFIGFS + "/usb_gadget/pve-usb-gadget-100";
    private static final long BACKUP_PID = 6000;
    private final FakeKernel kernel = new FakeKernel();

    @BeforeEach
    void vm100() {
        kernel.image("100.img", 4096);
        kernel.config(100, "image = /images/100.img\nproduct_id = 0x4000\nserial = S100\nenumerate_timeout = 7\n"
                + "backup_keep = 2\n");
    }

    private long seconds(Runnable action) {
        long start = kernel.nanoTime();
        action.run();
        return Duration.ofNanos(kernel.nanoTime() - start).toSeconds();
    }

    private CliRun preStart() {
        CliRun[] run = new CliRun[1];
        long took = seconds(() -> run[0] = CliRun.run(kernel, "hook", "100", "pre-start"));
        assertThat(took).as("pre-start took %d s", took).isLessThanOrEqualTo(7 + GadgetLifecycle.SLACK.toSeconds());
        return run[0];
    }

    /** A backup of the VM's image by process {@link #BACKUP_PID}, as {@code backup 100} registers itself. */
    private void backupRunning() throws IOException {
        kernel.process(BACKUP_PID, 'S', 55, "java");
        Files.createDirectories(kernel.path("/run/pve-usb-gadget"));
        Files.writeString(kernel.path("/run/pve-usb-gadget/100.backup"), "pid=" + BACKUP_PID + "\nstart=55\n"
                + "image=/images/100.img\n");
    }

    private Path cancelFile() {
        return kernel.path("/run/pve-usb-gadget/100.backup-cancel");
    }

    @Test
    void anEnumerationThatNeverComesEndsWithinTheBudget() {
        kernel.hostEnumerates(false);
        CliRun run = preStart();
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(CliRun.errorLines(run)).singleElement().asString().contains("did not enumerate");
        assertThat(Files.exists(kernel.path(G))).isFalse();
    }

    @Test
    void aBackupThatEndsByItselfIsWaitedFor() throws Exception {
        backupRunning();
        kernel.whileSleeping(() -> delete(kernel.path("/proc/" + BACKUP_PID))); // it finishes at the first wait
        CliRun run = preStart();
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.err()).contains("a backup of /images/100.img is running (pid 6000)")
                .doesNotContain("abandoning");
        assertThat(Files.exists(cancelFile())).isFalse();
    }

    @Test
    void aBackupThatDoesNotEndInTimeIsAbandonedBeforeTheBuild() throws Exception {
        backupRunning();
        kernel.whileSleeping(() -> {
            if (Files.exists(cancelFile())) { // the copy sees the request, removes its partial file and ends
                delete(kernel.path("/proc/" + BACKUP_PID));
            }
        });
        CliRun run = preStart();
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.err()).contains("abandoning the backup of /images/100.img (pid 6000): the VM starts");
        assertThat(kernel.read(G + "/UDC")).isEqualTo("dummy_udc.0");
    }

    @Test
    void aBackupThatIgnoresTheRequestKeepsTheVmFromStarting() throws Exception {
        backupRunning();
        CliRun run = preStart();
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(CliRun.errorLines(run)).singleElement().asString()
                .contains("the backup of /images/100.img (pid 6000) did not stop").contains("kill 6000");
        assertThat(Files.exists(kernel.path(G))).as("never a gadget on an image being copied").isFalse();
        assertThat(Files.exists(cancelFile())).isTrue();
    }

    @Test
    void theJobOfABackupThatDiedIsIgnoredAndRemoved() throws Exception {
        backupRunning();
        kernel.process(BACKUP_PID, 'S', 56, "java"); // the pid now belongs to a later process
        CliRun run = preStart();
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.err()).doesNotContain("backup");
        assertThat(Files.exists(kernel.path("/run/pve-usb-gadget/100.backup"))).isFalse();
    }

    @Test
    void postStopWithBackupKeepWaitsForNoCopy() {
        assertThat(preStart().exitCode()).isZero();
        long took = seconds(() -> assertThat(CliRun.run(kernel, "hook", "100", "post-stop").exitCode()).isZero());
        assertThat(took).isLessThanOrEqualTo(7);
        assertThat(kernel.commands()).last().asString().contains("backup 100");
    }

    private static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
