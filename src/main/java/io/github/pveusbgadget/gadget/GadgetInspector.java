package io.github.pveusbgadget.gadget;

import io.github.pveusbgadget.config.UsbId;
import io.github.pveusbgadget.config.VmId;
import io.github.pveusbgadget.kernel.SysfsFiles;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads the gadgets that exist in configfs (ours and, for conflict checks, everybody else's). */
public final class GadgetInspector {
    private final Path gadgetRoot;

    public GadgetInspector(Path gadgetRoot) {
        this.gadgetRoot = gadgetRoot;
    }

    /** Every gadget directory, of any name. */
    public List<ObservedGadget> all() {
        return SysfsFiles.list(gadgetRoot).stream()
                .filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                .map(this::inspect)
                .toList();
    }

    /** Whether configfs holds any gadget at all (ours or not). */
    public boolean anyGadget() {
        return !all().isEmpty();
    }

    /** The VM's gadget, if its directory exists. */
    public Optional<ObservedGadget> ours(VmId vmId) {
        Path dir = new GadgetLayout(gadgetRoot, vmId).dir();
        return Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) ? Optional.of(inspect(dir)) : Optional.empty();
    }

    /** Our gadgets only ({@code pve-usb-gadget-<vmid>}). */
    public List<ObservedGadget> oursAll() {
        return all().stream().filter(g -> g.vmId().isPresent()).toList();
    }

    private ObservedGadget inspect(Path dir) {
        List<Path> configLinks = new ArrayList<>();
        List<Path> configStrings = new ArrayList<>();
        List<Path> configs = directories(dir.resolve("configs"));
        for (Path config : configs) {
            SysfsFiles.list(config).stream().filter(Files::isSymbolicLink).forEach(configLinks::add);
            configStrings.addAll(directories(config.resolve("strings")));
        }
        List<Path> functions = directories(dir.resolve("functions"));
        List<ObservedGadget.Lun> luns = new ArrayList<>();
        for (Path function : functions) {
            if (function.getFileName().toString().startsWith("mass_storage.")) {
                for (Path lun : directories(function)) {
                    if (lun.getFileName().toString().startsWith("lun.")) {
                        luns.add(new ObservedGadget.Lun(lun, attr(lun, "file"), flags(lun)));
                    }
                }
            }
        }
        List<Path> osDescLinks = SysfsFiles.list(dir.resolve("os_desc")).stream()
                .filter(Files::isSymbolicLink).toList();
        Path serial = dir.resolve("strings").resolve(GadgetLayout.LANGUAGE).resolve("serialnumber");
        String udc = attr(dir, "UDC");
        return new ObservedGadget(dir, GadgetLayout.vmIdOf(dir.getFileName().toString()),
                udc.isBlank() ? Optional.empty() : Optional.of(udc),
                UsbId.parse(attr(dir, "idVendor"), attr(dir, "idProduct")), SysfsFiles.read(serial).orElse(""),
                configLinks, configStrings, configs, functions, directories(dir.resolve("strings")), osDescLinks, luns);
    }

    private static Optional<ObservedGadget.LunFlags> flags(Path lun) {
        Optional<Boolean> ro = bit(lun, "ro");
        Optional<Boolean> cdrom = bit(lun, "cdrom");
        Optional<Boolean> removable = bit(lun, "removable");
        Optional<Boolean> nofua = bit(lun, "nofua");
        if (ro.isEmpty() || cdrom.isEmpty() || removable.isEmpty() || nofua.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ObservedGadget.LunFlags(ro.get(), cdrom.get(), removable.get(), nofua.get()));
    }

    private static Optional<Boolean> bit(Path dir, String name) {
        return switch (attr(dir, name)) {
            case "1" -> Optional.of(true);
            case "0" -> Optional.of(false);
            default -> Optional.empty();
        };
    }

    private static String attr(Path dir, String name) {
        return SysfsFiles.read(dir.resolve(name)).orElse("").strip();
    }

    private static List<Path> directories(Path dir) {
        return SysfsFiles.list(dir).stream()
                .filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                .toList();
    }
}
