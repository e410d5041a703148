package io.github.pveusbgadget.config;

import io.github.pveusbgadget.ToolException;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The configuration directory: finds, safety-checks, parses and writes {@code <vmid>.conf} files. A hook runs as
 * root at every VM start, so a file anyone but root could have written is refused rather than trusted.
 */
public final class ConfigStore {
    private static final String SUFFIX = ".conf";
    private static final long MAX_SIZE = 64 * 1024;

    private final Path directory;
    private final ConfigParser parser = new ConfigParser();

    public ConfigStore(Path directory) {
        this.directory = directory;
    }

    public Path directory() {
        return directory;
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
        return parser.parse(vmId, file, readTrusted(vmId, file));
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
     * Writes {@code content} as the configuration of {@code vmId}, owner-only permissions, atomically (a reader never
     * sees half a file).
     */
    public Path write(VmId vmId, String content) {
        Path file = fileOf(vmId);
        try {
            Files.createDirectories(directory);
            Path temp = directory.resolve("." + vmId + SUFFIX + ".tmp");
            Files.writeString(temp, content, StandardCharsets.UTF_8);
            setOwnerOnly(temp);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw ToolException.failed("cannot write " + file + ": " + e.getMessage(), e);
        }
        return file;
    }

    private static void setOwnerOnly(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException | IOException e) {
            // pmxcfs (/etc/pve) sets its own modes (0640, root-owned) and refuses chmod: those are safe as they are.
        }
    }

    private static String readTrusted(VmId vmId, Path file) {
        PosixFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw ToolException.badInput(file + ": no such file; create it with 'pve-usb-gadget init " + vmId
                    + " --image PATH'");
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
