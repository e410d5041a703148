package io.github.pveusbgadget.image;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.config.GadgetConfig;
import io.github.pveusbgadget.gadget.GadgetLayout;
import io.github.pveusbgadget.gadget.ObservedGadget;
import io.github.pveusbgadget.host.HostRoots;
import io.github.pveusbgadget.kernel.ExclusiveClaims;
import io.github.pveusbgadget.kernel.MountTable;
import io.github.pveusbgadget.kernel.SysfsFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether an image may back a VM's gadget: it must exist, be a regular file or a block device, and be
 * used by nobody else, because two writers on one FAT file system destroy it.
 */
public final class ImageGuard {
    private static final Logger LOG = LoggerFactory.getLogger(ImageGuard.class);
    private static final long MIN_SIZE = 512;

    private final HostRoots roots;
    private final ExclusiveClaims claims;

    public ImageGuard(HostRoots roots, ExclusiveClaims claims) {
        this.roots = roots;
        this.claims = claims;
    }

    /**
     * Every reason the image of {@code config} cannot be used now, with {@code gadgets} the gadgets configfs shows;
     * empty when it can.
     */
    public List<ImageProblem> problems(GadgetConfig config, List<ObservedGadget> gadgets) {
        List<ImageProblem> problems = new ArrayList<>();
        Path image = config.image();
        String where = "(image in " + config.source() + ")";
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(image, BasicFileAttributes.class);
        } catch (IOException e) {
            problems.add(new ImageProblem(true, "image " + image + " does not exist " + where
                    + "; fix the path or create it with 'pve-usb-gadget image create'"));
            return problems;
        }
        Optional<String> blockDevice = attributes.isOther() ? blockDeviceName(image) : Optional.empty();
        if (!attributes.isRegularFile() && blockDevice.isEmpty()) {
            problems.add(new ImageProblem(true, "image " + image + " is neither a regular file nor a block device "
                    + where));
            return problems;
        }
        if (attributes.isRegularFile() && attributes.size() < MIN_SIZE) {
            problems.add(new ImageProblem(true, "image " + image + " is smaller than one 512-byte sector " + where));
        }
        if (!Files.isReadable(image) || (!config.readOnly() && !Files.isWritable(image))) {
            problems.add(new ImageProblem(true, "image " + image + " is not " + (config.readOnly() ? "readable"
                    : "readable and writable") + " by this user " + where + "; run as root or set read_only = true"));
        }
        String real = realPath(image);
        String ours = GadgetLayout.nameOf(config.vmId());
        gadgets.stream().filter(gadget -> !gadget.name().equals(ours) && serves(gadget, real)).forEach(gadget ->
                problems.add(new ImageProblem(false, "image " + image + " is already used by gadget "
                        + gadget.name() + "; two VMs must never share one image")));
        loopDeviceOf(real).ifPresent(loop -> problems.add(new ImageProblem(false, "image " + image
                + " is attached to /dev/" + loop + " on the host; detach it first: losetup -d /dev/" + loop)));
        blockDevice.ifPresent(device -> problems.addAll(blockDeviceProblems(image, device)));
        return problems;
    }

    /**
     * Refuses to replace {@code output} ({@code image create --force}) while one of {@code gadgets} serves it: that
     * would pull the image from under a running VM.
     */
    public static void refuseReplacing(Path output, List<ObservedGadget> gadgets) {
        if (!Files.exists(output)) {
            return;
        }
        String real = realPath(output);
        gadgets.stream().filter(gadget -> serves(gadget, real)).findFirst().ifPresent(gadget -> {
            throw ToolException.refused("--output " + output + " is the image of gadget " + gadget.name()
                    + "; stop that VM (or 'pve-usb-gadget down') before replacing it");
        });
    }

    private static boolean serves(ObservedGadget gadget, String realImage) {
        return gadget.backingFiles().stream()
                .anyMatch(file -> realPath(gadget.dir().getFileSystem().getPath(file)).equals(realImage));
    }

    private List<ImageProblem> blockDeviceProblems(Path image, String device) {
        List<ImageProblem> problems = new ArrayList<>();
        Path sysDevice = roots.sysfs().resolve("class").resolve("block").resolve(device);
        MountTable mounts = MountTable.read(roots.mountInfo());
        String disk = diskOf(device);
        if (rootDisks(mounts).contains(disk)) {
            problems.add(new ImageProblem(true, "block device /dev/" + device + " (image " + image + ") is on the "
                    + "disk /dev/" + disk + " that holds the host's root file system; give the VM another disk"));
        }
        List<String> names = new ArrayList<>();
        names.add(device);
        SysfsFiles.list(sysDevice).stream()
                .filter(p -> Files.exists(p.resolve("partition")))
                .forEach(p -> names.add(p.getFileName().toString()));
        for (String name : names) {
            Path dir = name.equals(device) ? sysDevice : sysDevice.resolve(name);
            SysfsFiles.read(dir.resolve("dev")).ifPresent(number -> mounts.mountPointsOf(number).forEach(point ->
                    problems.add(new ImageProblem(false, "block device /dev/" + name + " (image " + image
                            + ") is mounted on " + point + " on the host; unmount it first: umount " + point))));
            List<Path> holders = SysfsFiles.list(dir.resolve("holders"));
            if (!holders.isEmpty()) {
                problems.add(new ImageProblem(false, "block device /dev/" + name + " (image " + image
                        + ") is held by " + holders.get(0).getFileName() + " (LVM, md or dm) on the host; "
                        + "release it first"));
            }
        }
        if (problems.isEmpty()) {
            // Swap, ZFS vdevs and programs holding it with O_EXCL show up in neither list above.
            switch (claims.of(image)) {
                case CLAIMED -> problems.add(new ImageProblem(false, activeSwapAmong(names)
                        .map(swap -> "block device /dev/" + swap + " (image " + image + ") is active swap on the host; "
                                + "turn it off first: swapoff /dev/" + swap)
                        .orElse("block device /dev/" + device + " (image " + image + ") is opened exclusively by "
                                + "something else on the host (ZFS, md, LVM or another program); find it with 'lsblk "
                                + "/dev/" + device + "' or 'fuser -v " + image + "' and release it first")));
                case UNKNOWN -> LOG.warn("warning: could not ask the kernel whether block device /dev/{} is opened "
                        + "exclusively elsewhere (perl's open with O_EXCL failed; -v shows why); it is not mounted and "
                        + "has no holders, but make sure nothing else uses it: lsblk /dev/{}; fuser -v {}", device,
                        device, image);
                case FREE -> { }
            }
        }
        return problems;
    }

    /** The first of {@code names} that {@code /proc/swaps} lists: swap is claimed exclusively but mounted nowhere. */
    private Optional<String> activeSwapAmong(List<String> names) {
        try {
            List<String> swaps = Files.readAllLines(roots.proc().resolve("swaps")).stream()
                    .map(line -> line.split("\\s+")[0])
                    .toList();
            return names.stream().filter(name -> swaps.contains("/dev/" + name)).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The whole disk a block device belongs to: {@code sda} for {@code sda3}. */
    private String diskOf(String device) {
        Path dir = roots.sysfs().resolve("class").resolve("block").resolve(device);
        if (Files.exists(dir.resolve("partition"))) {
            try {
                return dir.toRealPath().getParent().getFileName().toString();
            } catch (IOException e) {
                return device;
            }
        }
        return device;
    }

    /** The disks under {@code /}, through device-mapper and md layers (Proxmox's root is usually LVM). */
    private Set<String> rootDisks(MountTable mounts) {
        Set<String> disks = new HashSet<>();
        ArrayDeque<String> todo = new ArrayDeque<>();
        mounts.deviceOf("/").ifPresent(number -> {
            try {
                todo.add(roots.sysfs().resolve("dev").resolve("block").resolve(number).toRealPath()
                        .getFileName().toString());
            } catch (IOException e) {
                // Root on a file system without a block device (tmpfs, 9p, zfs): no disk to protect this way.
            }
        });
        while (!todo.isEmpty()) {
            String name = todo.poll();
            String disk = diskOf(name);
            if (disks.add(disk)) {
                for (String layer : List.of(name, disk)) {
                    SysfsFiles.list(roots.sysfs().resolve("class").resolve("block").resolve(layer).resolve("slaves"))
                            .forEach(slave -> todo.add(slave.getFileName().toString()));
                }
            }
        }
        return disks;
    }

    private Optional<String> blockDeviceName(Path image) {
        String name = image.getFileSystem().getPath(realPath(image)).getFileName().toString();
        return Files.isDirectory(roots.sysfs().resolve("class").resolve("block").resolve(name))
                ? Optional.of(name) : Optional.empty();
    }

    private Optional<String> loopDeviceOf(String realImage) {
        for (Path loop : SysfsFiles.list(roots.sysfs().resolve("block"))) {
            Optional<String> backing = SysfsFiles.read(loop.resolve("loop").resolve("backing_file"));
            if (backing.map(b -> b.replaceFirst(" \\(deleted\\)$", "")).filter(realImage::equals).isPresent()) {
                return Optional.of(loop.getFileName().toString());
            }
        }
        return Optional.empty();
    }

    private static String realPath(Path path) {
        try {
            return path.toRealPath().toString();
        } catch (IOException e) {
            return path.toAbsolutePath().normalize().toString();
        }
    }
}
