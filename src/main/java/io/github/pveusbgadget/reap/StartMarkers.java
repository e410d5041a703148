package io.github.pveusbgadget.reap;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.config.VmId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code <state-dir>/<vmid>.up}: written by every {@code up} before it builds anything, it tells the reaper until when
 * the VM counts as starting. Proxmox starts QEMU only after {@code pre-start} returned, so a gadget whose VM shows no
 * QEMU yet is not an orphan until then. The state directory is on tmpfs: a reboot clears it along with the gadgets.
 */
public final class StartMarkers {
    private static final String SUFFIX = ".up";
    private static final String KEY = "keep_until=";

    private final Path dir;

    public StartMarkers(Path dir) {
        this.dir = dir;
    }

    public Path fileOf(VmId vmId) {
        return dir.resolve(vmId + SUFFIX);
    }

    /**
     * Records that VM {@code vmId}'s gadget is to be kept until {@code keepUntil} even without its QEMU. Fails when it
     * cannot: a gadget without a marker would be taken for an orphan while its VM starts.
     */
    public void keepUntil(VmId vmId, Instant keepUntil) {
        Path file = fileOf(vmId);
        Path temp = dir.resolve("." + vmId + SUFFIX + ".new");
        try {
            Files.createDirectories(dir);
            Files.writeString(temp, KEY + keepUntil.getEpochSecond() + "\n", StandardCharsets.UTF_8);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw ToolException.failed("cannot write " + file + ": " + e.getMessage() + "; the reaper needs it to "
                    + "tell a starting VM from an orphaned gadget: make " + dir + " writable (run as root)", e);
        }
    }

    /** Until when the marker keeps the VM's gadget; empty without one (or with one that does not parse). */
    public Optional<Instant> keptUntil(VmId vmId) {
        try {
            String text = Files.readString(fileOf(vmId), StandardCharsets.UTF_8).strip();
            return text.startsWith(KEY) ? Optional.of(Instant.ofEpochSecond(Long.parseLong(
                    text.substring(KEY.length())))) : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Removes the VM's marker, if any (after {@code down}); never fails. */
    public void remove(VmId vmId) {
        try {
            Files.deleteIfExists(fileOf(vmId));
        } catch (IOException e) {
            // A marker left behind only delays nothing: the reaper forgets it once its time has passed.
        }
    }

    /** The VMs that have a marker. */
    public List<VmId> vms() {
        List<VmId> vms = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return vms;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                try {
                    vms.add(VmId.parse(name.substring(0, name.length() - SUFFIX.length())));
                } catch (ToolException notOurs) {
                    // not a marker of ours
                }
            }
        } catch (IOException e) {
            return vms;
        }
        vms.sort(null);
        return vms;
    }
}
