package io.github.pveusbgadget.lock;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.host.Poller;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.apache.commons.io.IOUtils;

/**
 * The host-wide lock that serializes {@code up} and {@code down}, so VMs starting together choose distinct UDCs.
 * An advisory {@code fcntl} lock: the kernel releases it when the process dies, so a killed hook never leaves it
 * held.
 */
public final class HostLock implements Lock {
    private final FileChannel channel;
    private final FileLock lock;

    private HostLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock, waiting at most {@code timeout} for another pve-usb-gadget to finish. */
    public static HostLock acquire(Path lockFile, Poller poller, Duration timeout) {
        FileChannel channel;
        try {
            if (lockFile.getParent() != null) {
                Files.createDirectories(lockFile.getParent());
            }
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw ToolException.failed("cannot open the lock file " + lockFile + ": " + e.getMessage()
                    + "; run as root", e);
        }
        FileLock[] held = new FileLock[1];
        boolean locked = poller.await(() -> {
            try {
                held[0] = channel.tryLock();
                return held[0] != null;
            } catch (IOException e) {
                return false;
            }
        }, timeout);
        if (!locked) {
            IOUtils.closeQuietly(channel);
            throw ToolException.refused("another pve-usb-gadget has held " + lockFile + " for "
                    + timeout.toSeconds() + " s; check for a stuck process with: fuser -v " + lockFile);
        }
        return new HostLock(channel, held[0]);
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // Closing the channel below releases it as well.
        }
        // A failed close loses nothing: the lock dies with the process anyway.
        IOUtils.closeQuietly(channel);
    }
}
