package io.github.pveusbgadget.proxmox;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.plan.Shell;
import io.github.pveusbgadget.plan.Step;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Installs the hookscript shim into a snippets storage: atomically, mode 0755 (Proxmox refuses a hookscript that is
 * not executable); an identical executable one is left alone.
 */
public record InstallShim(Path target, String shim) implements Step<Object> {
    /** The shim, bundled in the jar from hookscripts/. */
    static final String RESOURCE = "/io/github/pveusbgadget/hookscript/" + VmWiring.HOOK_NAME;

    /** The shim as the jar carries it. */
    public static String bundled() {
        try (InputStream in = InstallShim.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw ToolException.failed("the hookscript is missing from the jar (" + RESOURCE + ")", null);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw ToolException.failed("cannot read the hookscript from the jar: " + e.getMessage(), e);
        }
    }

    @Override
    public String describe() {
        return "install the hookscript as " + target;
    }

    @Override
    public List<String> shell() {
        List<String> lines = new ArrayList<>();
        lines.add("mkdir -p " + Shell.quote(target.getParent()));
        lines.addAll(Shell.hereDocument("cat > " + Shell.quote(target), shim));
        lines.add("chmod 755 " + Shell.quote(target));
        return lines;
    }

    @Override
    public void apply(Object context) {
        try {
            if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && Files.isExecutable(target)
                    && Files.readString(target).equals(shim)) {
                return;
            }
            Files.createDirectories(target.getParent());
            Path temp = target.resolveSibling("." + target.getFileName() + ".tmp");
            Files.writeString(temp, shim, StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
            } catch (UnsupportedOperationException e) {
                // Not a POSIX file system: a snippets directory on Proxmox always is.
            }
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw ToolException.failed("cannot install the hookscript as " + target + ": " + e.getMessage(), e);
        }
    }
}
