package io.github.pveusbgadget.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What two VMs' configs share that must be theirs alone: the VID:PID (Proxmox passes a host device by VID:PID, so
 * the VM would get the wrong drive), the serial (the unRAID license is bound to it) and the image (two gadgets must
 * never write one file system). The config dir is on the cluster file system on a Proxmox host, so this is
 * cluster-wide.
 */
public final class Collisions {
    /** {@code what} ("VID:PID 1d6b:4000", "serial ABC", "image /x.img") that VM {@code other} has too. */
    public record Collision(VmId other, String what) {
        @Override
        public String toString() {
            return what + " (also VM " + other + "'s)";
        }
    }

    private Collisions() {
    }

    /** What {@code config} shares with any of {@code others} (itself excluded). */
    public static List<Collision> of(GadgetConfig config, Collection<GadgetConfig> others) {
        List<Collision> found = new ArrayList<>();
        for (GadgetConfig other : others) {
            if (other.vmId().equals(config.vmId())) {
                continue;
            }
            if (other.usbId().equals(config.usbId())) {
                found.add(new Collision(other.vmId(), "VID:PID " + config.usbId()));
            }
            if (other.serial().toUpperCase(Locale.ROOT).equals(config.serial().toUpperCase(Locale.ROOT))) {
                found.add(new Collision(other.vmId(), "serial " + config.serial()));
            }
            if (other.image().normalize().equals(config.image().normalize())) {
                found.add(new Collision(other.vmId(), "image " + config.image()));
            }
        }
        return found;
    }

    /** For {@code check} and {@code status}: each VM that shares something with another, and what. */
    public static Map<VmId, List<Collision>> among(Collection<GadgetConfig> configs) {
        Map<VmId, List<Collision>> byVm = new LinkedHashMap<>();
        for (GadgetConfig config : configs) {
            List<Collision> found = of(config, configs);
            if (!found.isEmpty()) {
                byVm.put(config.vmId(), found);
            }
        }
        return byVm;
    }

    /** One line: "VID:PID 1d6b:4000 (also VM 100's), image /x.img (also VM 100's)". */
    public static String describe(List<Collision> collisions) {
        return collisions.stream().map(Collision::toString).collect(Collectors.joining(", "));
    }
}
