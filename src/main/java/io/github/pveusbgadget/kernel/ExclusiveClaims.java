package io.github.pveusbgadget.kernel;

import io.github.pveusbgadget.host.CommandResult;
import io.github.pveusbgadget.host.CommandRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Asks the kernel whether a block device is claimed exclusively: mounted, active swap, a member of md, LVM or
 * device-mapper, a ZFS vdev, or held open with {@code O_EXCL} by any other program. The kernel answers an
 * {@code open(O_EXCL)} of a claimed device with {@code EBUSY}, and that is the only complete answer: a swap area or
 * a ZFS vdev shows up neither in the mount table nor as a holder in sysfs.
 *
 * <p>Java cannot open a file with {@code O_EXCL} without also creating it, so the open is done by perl, which every
 * Debian and Proxmox host has (perl-base is essential; Proxmox itself is written in it). The probe only opens the
 * device read-only and closes it again.
 */
public final class ExclusiveClaims {
    /** What the probe exits with when the device is claimed (the value of {@code EBUSY}). */
    static final int CLAIMED = 16;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String PROBE = "use Fcntl; sysopen(my $fh, $ARGV[0], O_RDONLY | O_EXCL | O_NONBLOCK) and exit 0;"
            + " print STDERR \"$ARGV[0]: $!\\n\"; exit($!{EBUSY} ? " + CLAIMED + " : 1);";

    private final CommandRunner runner;

    public ExclusiveClaims(CommandRunner runner) {
        this.runner = runner;
    }

    /** What the kernel said about one device. */
    public enum Answer {
        /** Nobody holds it exclusively. */
        FREE,
        /** Someone holds it exclusively (the open failed with {@code EBUSY}). */
        CLAIMED,
        /** The probe could not tell (no perl, a timeout, another error); the other guards still apply. */
        UNKNOWN
    }

    /** Asks about {@code device} ({@code /dev/sdb}, {@code /dev/disk/by-id/...}). */
    public Answer of(Path device) {
        CommandResult result = runner.run(List.of("perl", "-e", PROBE, device.toString()), TIMEOUT);
        if (result.timedOut()) {
            return Answer.UNKNOWN;
        }
        return switch (result.exitCode()) {
            case 0 -> Answer.FREE;
            case CLAIMED -> Answer.CLAIMED;
            default -> Answer.UNKNOWN;
        };
    }
}
