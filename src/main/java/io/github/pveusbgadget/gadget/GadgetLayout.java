package io.github.pveusbgadget.gadget;

import io.github.pveusbgadget.config.VmId;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a VM's gadget lives in configfs: {@code usb_gadget/pve-usb-gadget-<vmid>} with one configuration, one
 * mass-storage function and its first LUN. Gadgets with any other name are never touched.
 */
public final class GadgetLayout {
    public static final String NAME_PREFIX = "pve-usb-gadget-";
    static final String LANGUAGE = "0x409";
    static final String CONFIG = "c.1";
    static final String FUNCTION = "mass_storage.0";
    static final String LUN = "lun.0";

    private final VmId vmId;
    private final Path dir;

    public GadgetLayout(Path gadgetRoot, VmId vmId) {
        this.vmId = vmId;
        this.dir = gadgetRoot.resolve(nameOf(vmId));
    }

    public static String nameOf(VmId vmId) {
        return NAME_PREFIX + vmId;
    }

    /** The VM a gadget directory belongs to, when it is one of ours. */
    public static Optional<VmId> vmIdOf(String gadgetName) {
        if (!gadgetName.startsWith(NAME_PREFIX)) {
            return Optional.empty();
        }
        String id = gadgetName.substring(NAME_PREFIX.length());
        return id.matches("[1-9][0-9]{0,9}") ? Optional.of(new VmId(Long.parseLong(id))) : Optional.empty();
    }

    public VmId vmId() {
        return vmId;
    }

    public Path dir() {
        return dir;
    }

    public String name() {
        return dir.getFileName().toString();
    }

    public Path attribute(String name) {
        return dir.resolve(name);
    }

    public Path strings() {
        return dir.resolve("strings").resolve(LANGUAGE);
    }

    public Path config() {
        return dir.resolve("configs").resolve(CONFIG);
    }

    public Path configStrings() {
        return config().resolve("strings").resolve(LANGUAGE);
    }

    public Path function() {
        return dir.resolve("functions").resolve(FUNCTION);
    }

    public Path lun() {
        return function().resolve(LUN);
    }

    /** The link that puts the function into the configuration. */
    public Path functionLink() {
        return config().resolve(FUNCTION);
    }
}
