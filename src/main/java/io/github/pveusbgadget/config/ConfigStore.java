package io.github.pveusbgadget.config;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.host.Poller;
import io.github.pveusbgadget.lock.ClusterLock;
import io.github.pveusbgadget.lock.HostLock;
import io.github.pveusbgadget.lock.Lock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The configuration directory: finds, safety-checks, parses and writes {@code <vmid>.conf} files. A hook runs as
 * root at every VM start, so a file anyone but root could have written is refused rather than trusted.
 *
 * <p>On a Proxmox host the directory is on pmxcfs ({@code /etc/pve}), which every node of the cluster shares. It is
 * taken as it is: its files are root:www-data 0640 and refuse chmod (both fine for the trust rule: only root
 * writes there), it has no symlinks, its {@code O_EXCL} is not atomic across nodes (so the identities new configs
 * get are chosen under a {@link ClusterLock}), and it is read-only on a node without quorum (reading, so
 * {@code pre-start}, still works; a write says why it fails).
 */
public final class ConfigStore {
    private static final String SUFFIX = ".conf";
    private static final long MAX_SIZE = 64 * 1024;
    private static final String IDENTITY_LOCK = "pve-usb-gadget-ids";
    private static final Duration LOCK_TIMEOUT = Duration.ofSeconds(10);

    private final Path directory;
    private final Optional<Path> clusterFs;
    private final Path hostLock;
    private final Poller poller;
    private final ConfigParser parser = new ConfigParser();

    /**
     * @param directory where the {@code <vmid>.conf} files are
     * @param clusterFs where pmxcfs is mounted, when {@code directory} is on it
     * @param hostLock  the host's lock file, for the identity lock when {@code directory} is node-local
     * @param poller    waits for the identity lock
     */
    public ConfigStore(Path directory, Optional<Path> clusterFs, Path hostLock, Poller poller) {
        this.directory = directory;
        this.clusterFs = clusterFs;
        this.hostLock = hostLock;
        this.poller = poller;
    }

    public Path directory() {
        return directory;
    }

    /** Whether the directory is on pmxcfs, shared by every node of the cluster. */
    public boolean onClusterFs() {
        return clusterFs.isPresent();
    }

    /**
     * The lock under which a new config's identity is checked against every other config and written: a pmxcfs
     * lock (as {@code cfs_lock} takes it) when the directory is cluster-wide, the host lock otherwise (held for
     * milliseconds).
     */
    public Lock lockIdentities() {
        return clusterFs
                .<Lock>map(pve -> ClusterLock.acquire(pve.resolve("priv").resolve("lock"), IDENTITY_LOCK, poller,
                        LOCK_TIMEOUT))
                .orElseGet(() -> HostLock.acquire(hostLock, poller, LOCK_TIMEOUT));
    }

    /** Every other VM's config that loads; an unreadable one cannot claim an identity (check reports it). */
    public List<GadgetConfig> loadOthers(VmId except) {
        return loadAll().stream().filter(c -> !c.vmId().equals(except)).toList();
    }

    /** Every config that loads, in vmid order (an unreadable one is reported by check and status on its own). */
    public List<GadgetConfig> loadAll() {
        List<GadgetConfig> configs = new ArrayList<>();
        for (VmId id : list()) {
            try {
                configs.add(load(id));
            } catch (ToolException e) {
                // Skipped here: see above.
            }
        }
        return configs;
    }

    public Path fileOf(VmId vmId) {
        return directory.resolve(vmId + SUFFIX);
    }

    public boolean exists(VmId vmId) {
        return Files.exists(fileOf(vmId), LinkOption.NOFOLLOW_LINKS);
    }

    /** Loads and validates the configuration of {@code vmId}; any problem is a one-line exit-2 error. */
    public GadgetConfig load(VmId vmId) {
        Path file = fileOf(vmId);
        return parser.parse(vmId, file, readTrusted(file));
    }

    /** The configuration of {@code vmId} if its file exists. */
    public Optional<GadgetConfig> loadIfPresent(VmId vmId) {
        return exists(vmId) ? Optional.of(load(vmId)) : Optional.empty();
    }

    /** Every VM with a {@code <vmid>.conf} in the directory, in vmid order. */
    public List<VmId> list() {
        List<VmId> ids = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            return ids;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                String stem = name.substring(0, name.length() - SUFFIX.length());
                if (stem.matches("[1-9][0-9]{0,9}")) {
                    ids.add(new VmId(Long.parseLong(stem)));
                }
            }
        } catch (IOException e) {
            throw ToolException.failed("cannot list " + directory + ": " + e.getMessage(), e);
        }
        ids.sort(null);
        return ids;
    }

    /**
     * Writes {@code content} as the configuration of {@code vmId} atomically (a reader, on any node, never sees half
     * a file: a temporary file renamed over it, as Proxmox's own {@code file_set_contents} does), owner-only where
     * the file system takes a mode (pmxcfs sets its own and refuses chmod).
     */
    public Path write(VmId vmId, String content) {
        Path file = fileOf(vmId);
        try {
            Files.createDirectories(directory);
            Path temp = directory.resolve("." + vmId + SUFFIX + ".tmp");
            Files.writeString(temp, content, StandardCharsets.UTF_8);
            if (clusterFs.isEmpty()) {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            }
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AccessDeniedException e) {
            throw ToolException.refused("cannot write " + file + ": " + (clusterFs.isPresent()
                    ? "the cluster file system is read-only (this node has no quorum?); check with: pvecm status"
                    + " (starting and stopping VMs still works)" : "permission denied; run as root"));
        } catch (IOException e) {
            throw ToolException.failed("cannot write " + file + ": " + e.getMessage(), e);
        }
        return file;
    }

    /** Where versions before the cluster file system kept the configs, on every host. */
    private static final String NODE_LOCAL_DIR = "/etc/pve-usb-gadget";

    private String missing(Path file) {
        Path old = file.getFileSystem().getPath(NODE_LOCAL_DIR).resolve(file.getFileName().toString());
        if (clusterFs.isPresent() && Files.exists(old)) {
            return file + ": no such file, but " + old + " (the node-local dir of earlier versions) exists; move it to "
                    + "the cluster file system: mkdir -p " + directory + " && mv " + old + " " + directory + "/";
        }
        String name = file.getFileName().toString();
        return file + ": no such file; create it with 'pve-usb-gadget init " + name.substring(0, name.length()
                - SUFFIX.length()) + " --image PATH'";
    }

    private String readTrusted(Path file) {
        PosixFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw ToolException.badInput(missing(file));
        } catch (IOException | UnsupportedOperationException e) {
            throw ToolException.badInput(file + ": cannot read its attributes: " + e.getMessage());
        }
        if (attributes.isSymbolicLink()) {
            throw ToolException.badInput(file + ": is a symbolic link; replace it with a regular file owned by root");
        }
        if (!attributes.isRegularFile()) {
            throw ToolException.badInput(file + ": is not a regular file");
        }
        if (!"root".equals(attributes.owner().getName())) {
            throw ToolException.badInput(file + ": is owned by '" + attributes.owner().getName()
                    + "', not root; fix with: chown root:root " + file);
        }
        Set<PosixFilePermission> permissions = attributes.permissions();
        if (permissions.contains(PosixFilePermission.GROUP_WRITE)
                || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw ToolException.badInput(file + ": is writable by group or others (mode "
                    + PosixFilePermissions.toString(permissions) + "); fix with: chmod go-w " + file);
        }
        if (attributes.size() > MAX_SIZE) {
            throw ToolException.badInput(file + ": is larger than " + MAX_SIZE + " bytes; is it the right file?");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (AccessDeniedException e) {
            throw ToolException.badInput(file + ": permission denied; run as root");
        } catch (IOException e) {
            throw ToolException.badInput(file + ": cannot read: " + e.getMessage());
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw ToolException.badInput(file + ": is not valid UTF-8 text");
        }
    }
}
