package io.github.pveusbgadget.status;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.config.Collisions;
import io.github.pveusbgadget.config.ConfigStore;
import io.github.pveusbgadget.config.GadgetConfig;
import io.github.pveusbgadget.config.UnraidGuid;
import io.github.pveusbgadget.config.UsbId;
import io.github.pveusbgadget.config.VmId;
import io.github.pveusbgadget.gadget.HostSnapshot;
import io.github.pveusbgadget.gadget.ObservedGadget;
import io.github.pveusbgadget.kernel.HostUsbDevice;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/** Puts together what the configs say and what configfs and the host's USB bus show, per VM. */
public final class StatusCollector {
    private final ConfigStore store;

    public StatusCollector(ConfigStore store) {
        this.store = store;
    }

    /**
     * Every VM with a config or a gadget in {@code host}, or only {@code only} when given; a VM named that has
     * neither is a usage error (exit 2), not a row.
     */
    public List<VmStatus> collect(Optional<VmId> only, HostSnapshot host) {
        only.filter(id -> !store.exists(id) && host.ours(id).isEmpty()).ifPresent(id -> {
            throw ToolException.badInput("VM " + id + " has no config " + store.fileOf(id) + " and no gadget; create "
                    + "it with 'pve-usb-gadget init " + id + " --image PATH'");
        });
        TreeSet<VmId> ids = new TreeSet<>(store.list());
        host.gadgets().forEach(g -> g.vmId().ifPresent(ids::add));
        only.ifPresent(id -> ids.retainAll(List.of(id)));
        only.ifPresent(ids::add);
        Map<VmId, List<Collisions.Collision>> collisions = Collisions.among(store.loadAll());
        List<VmStatus> rows = new ArrayList<>();
        for (VmId id : ids) {
            VmStatus row = statusOf(id, host);
            List<Collisions.Collision> shared = collisions.getOrDefault(id, List.of());
            if (!shared.isEmpty()) {
                String clash = "shares " + Collisions.describe(shared) + "; see pve-usb-gadget check " + id;
                row = new VmStatus(row.vmId(), row.state(), row.udc(), row.image(), row.usbId(), row.serial(),
                        row.guid(), row.hostDevice(), row.problem().isEmpty() ? clash : row.problem() + "; " + clash);
            }
            rows.add(row);
        }
        return rows;
    }

    /** The exit code of {@code status} for {@code rows}: 2 when a config is unusable (as {@code check}), else 0. */
    public static int exitCode(List<VmStatus> rows) {
        return rows.stream().anyMatch(row -> row.state() == VmState.CONFIG_ERROR) ? ToolException.BAD_INPUT : 0;
    }

    private VmStatus statusOf(VmId id, HostSnapshot host) {
        Optional<GadgetConfig> config = Optional.empty();
        String problem = "";
        try {
            config = store.loadIfPresent(id);
            if (config.isEmpty()) {
                problem = "no config " + store.fileOf(id);
            }
        } catch (ToolException e) {
            problem = e.getMessage();
        }
        Optional<ObservedGadget> gadget = host.ours(id);
        if (gadget.isEmpty()) {
            return config.map(c -> new VmStatus(id.toString(), VmState.DOWN, "", c.image().toString(),
                            c.usbId().toString(), c.serial(), c.unraidGuid(), "", ""))
                    .orElse(new VmStatus(id.toString(), VmState.CONFIG_ERROR, "", "", "", "", "", "", problem));
        }
        ObservedGadget g = gadget.get();
        if (g.usbId().isEmpty()) {
            problem = "gadget has no valid idVendor/idProduct";
        }
        String guid = g.usbId().filter(u -> !g.serial().isBlank()).map(u -> UnraidGuid.of(u, g.serial()).toString())
                .orElse("");
        Optional<HostUsbDevice> device = host.deviceOf(g);
        VmState state = !g.isBound() ? VmState.HALF_BUILT : device.isPresent() ? VmState.UP : VmState.BOUND;
        String hostDevice = device.map(d -> (d.name() + " " + String.join(",", d.blockDevices())).strip())
                .orElse("");
        return new VmStatus(id.toString(), state, g.udc().orElse(""), String.join(",", g.backingFiles()),
                g.usbId().map(UsbId::toString).orElse(""), g.serial(), guid, hostDevice, problem);
    }
}
