package io.github.pveusbgadget.status;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.config.ConfigStore;
import io.github.pveusbgadget.config.GadgetConfig;
import io.github.pveusbgadget.config.UnraidGuid;
import io.github.pveusbgadget.config.UsbId;
import io.github.pveusbgadget.config.VmId;
import io.github.pveusbgadget.gadget.GadgetInspector;
import io.github.pveusbgadget.gadget.ObservedGadget;
import io.github.pveusbgadget.kernel.HostUsbBus;
import io.github.pveusbgadget.kernel.HostUsbDevice;
import io.github.pveusbgadget.kernel.Udc;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/** Puts together what the configs say and what configfs and the host's USB bus show, per VM. */
public final class StatusCollector {
    private final ConfigStore store;
    private final GadgetInspector inspector;
    private final HostUsbBus usb;

    public StatusCollector(ConfigStore store, GadgetInspector inspector, HostUsbBus usb) {
        this.store = store;
        this.inspector = inspector;
        this.usb = usb;
    }

    /** Every VM with a config or a gadget, or only {@code only} when given. */
    public List<VmStatus> collect(Optional<VmId> only) {
        TreeSet<VmId> ids = new TreeSet<>(store.list());
        inspector.oursAll().forEach(g -> ids.add(g.vmId().orElseThrow()));
        only.ifPresent(id -> ids.retainAll(List.of(id)));
        only.ifPresent(ids::add);
        List<VmStatus> rows = new ArrayList<>();
        for (VmId id : ids) {
            rows.add(statusOf(id));
        }
        return rows;
    }

    private VmStatus statusOf(VmId id) {
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
        Optional<ObservedGadget> gadget = inspector.ours(id);
        if (gadget.isEmpty()) {
            return config.map(c -> new VmStatus(id.toString(), "down", "", c.image().toString(), c.usbId().toString(),
                            c.serial(), c.unraidGuid(), "", ""))
                    .orElse(new VmStatus(id.toString(), "config-error", "", "", "", "", "", "", problem));
        }
        ObservedGadget g = gadget.get();
        String usbId = hex(g.idVendor()) + ":" + hex(g.idProduct());
        String guid = "";
        Optional<HostUsbDevice> device = Optional.empty();
        try {
            UsbId parsed = new UsbId(Integer.decode(g.idVendor()), Integer.decode(g.idProduct()));
            guid = g.serial().isBlank() ? "" : UnraidGuid.of(parsed, g.serial()).toString();
            int index = Udc.indexOf(g.udc());
            if (index >= 0) {
                device = usb.find(parsed, g.serial(), "dummy_hcd." + index);
            }
        } catch (IllegalArgumentException e) {
            problem = "gadget has no valid idVendor/idProduct";
        }
        String state = !g.isBound() ? "half-built" : device.isPresent() ? "up" : "bound";
        String hostDevice = device.map(d -> (d.name() + " " + String.join(",", usb.blockDevicesOf(d))).strip())
                .orElse("");
        return new VmStatus(id.toString(), state, g.udc(), String.join(",", g.backingFiles()), usbId, g.serial(),
                guid, hostDevice, problem);
    }

    private static String hex(String attribute) {
        String value = attribute.replaceFirst("^0[xX]", "").toLowerCase();
        return "0".repeat(Math.max(0, 4 - value.length())) + value;
    }
}
