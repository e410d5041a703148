package io.github.pveusbgadget.lock;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.host.Poller;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;

/**
 * A cluster-wide lock on pmxcfs, taken as Proxmox's own {@code PVE::Cluster::cfs_lock} takes one: {@code mkdir} of a
 * directory below {@code /etc/pve/priv/lock} (pmxcfs makes that mkdir atomic across the cluster, where
 * {@code O_EXCL} is not), an {@code utime(0, 0)} on it while it is taken (pmxcfs's request to drop a lock older
 * than its 120 s expiry, so a node that died holding it does not block the others for ever), and {@code rmdir} to
 * release it.
 */
public final class ClusterLock implements Lock {
    private final Path directory;

    private ClusterLock(Path directory) {
        this.directory = directory;
    }

    /**
     * Takes the lock {@code name} below {@code lockDir}, waiting at most {@code timeout} (cfs_lock waits 10 s).
     */
    public static ClusterLock acquire(Path lockDir, String name, Poller poller, Duration timeout) {
        Path lock = lockDir.resolve(name);
        try {
            Files.createDirectories(lockDir);
        } catch (AccessDeniedException e) {
            throw ToolException.refused("cannot create " + lockDir + ": the cluster file system is read-only"
                    + " (this node has no quorum?); check with: pvecm status");
        } catch (IOException e) {
            throw ToolException.failed("cannot create " + lockDir + ": " + e.getMessage()
                    + "; is pve-cluster running? check with: systemctl status pve-cluster", e);
        }
        IOException[] failure = new IOException[1];
        boolean taken = poller.await(() -> {
            try {
                Files.createDirectory(lock);
                return true;
            } catch (FileAlreadyExistsException e) {
                requestExpiry(lock);
                return false;
            } catch (IOException e) {
                failure[0] = e;
                return true;
            }
        }, timeout);
        if (failure[0] instanceof AccessDeniedException) {
            throw ToolException.refused("cannot take the cluster lock " + lock + ": the cluster file system is "
                    + "read-only (this node has no quorum?); check with: pvecm status");
        }
        if (failure[0] != null) {
            throw ToolException.failed("cannot take the cluster lock " + lock + ": " + failure[0].getMessage(),
                    failure[0]);
        }
        if (!taken) {
            throw ToolException.refused("another node or process has held the cluster lock " + lock + " for "
                    + timeout.toSeconds() + " s; try again (pmxcfs drops a lock after 120 s)");
        }
        return new ClusterLock(lock);
    }

    private static void requestExpiry(Path lock) {
        try {
            Files.setLastModifiedTime(lock, FileTime.fromMillis(0));
        } catch (IOException e) {
            // Released meanwhile, or not ours to touch: the next attempt tells.
        }
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(directory);
        } catch (IOException e) {
            // pmxcfs expires it after 120 s anyway.
        }
    }
}
