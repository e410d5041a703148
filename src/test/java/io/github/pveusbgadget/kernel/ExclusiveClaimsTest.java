package io.github.pveusbgadget.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.pveusbgadget.host.CommandResult;
import io.github.pveusbgadget.host.CommandRunner;
import io.github.pveusbgadget.host.ExecCommandRunner;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The O_EXCL probe, with the real perl of this machine (its script must run) and with stubbed answers. */
class ExclusiveClaimsTest {
    private final ExclusiveClaims real = new ExclusiveClaims(new ExecCommandRunner(System.getenv("PATH")));

    @Test
    void theBlockDeviceHoldingTheRootFileSystemIsClaimed() throws IOException {
        Optional<Path> root = rootBlockDevice();
        assumeTrue(root.isPresent() && canOpen(root.get()), "/ is not on a block device this test can open");
        assertThat(real.of(root.get())).isEqualTo(ExclusiveClaims.Answer.CLAIMED);
    }

    @Test
    void aFileNobodyHoldsIsFree(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("image"), "x");
        assertThat(real.of(file)).isEqualTo(ExclusiveClaims.Answer.FREE);
    }

    @Test
    void aDeviceThatDoesNotExistIsUnknownNotFree(@TempDir Path dir) {
        assertThat(real.of(dir.resolve("no-such-device"))).isEqualTo(ExclusiveClaims.Answer.UNKNOWN);
    }

    @Test
    void noPerlOrATimeoutIsUnknown() {
        assertThat(stubbed(new CommandResult(-1, "perl: No such file or directory", false)).of(Path.of("/dev/sdz")))
                .isEqualTo(ExclusiveClaims.Answer.UNKNOWN);
        assertThat(stubbed(new CommandResult(-1, "", true)).of(Path.of("/dev/sdz")))
                .isEqualTo(ExclusiveClaims.Answer.UNKNOWN);
        assertThat(stubbed(new CommandResult(ExclusiveClaims.CLAIMED, "", false)).of(Path.of("/dev/sdz")))
                .isEqualTo(ExclusiveClaims.Answer.CLAIMED);
    }

    private static ExclusiveClaims stubbed(CommandResult result) {
        return new ExclusiveClaims(new CommandRunner() {
            @Override
            public CommandResult run(List<String> command, Duration timeout) {
                assertThat(command.subList(0, 2)).containsExactly("perl", "-e");
                return result;
            }

            @Override
            public boolean isAvailable(String program) {
                return true;
            }
        });
    }

    /** Whether this process may open the device at all (a sandbox's device cgroup may forbid it even to root). */
    private static boolean canOpen(Path device) {
        try (FileChannel channel = FileChannel.open(device)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The device mounted on {@code /}, when it is a block device node (not overlay, 9p, a container's root). */
    private static Optional<Path> rootBlockDevice() throws IOException {
        Path mounts = Path.of("/proc/self/mounts");
        if (!Files.isReadable(mounts)) {
            return Optional.empty();
        }
        return Files.readAllLines(mounts).stream()
                .map(line -> line.split(" "))
                .filter(fields -> fields.length > 2 && fields[1].equals("/") && fields[0].startsWith("/dev/"))
                .map(fields -> Path.of(fields[0]))
                .filter(device -> Files.exists(device) && !Files.isRegularFile(device) && !Files.isDirectory(device))
                .reduce((first, last) -> last);
    }
}
