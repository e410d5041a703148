package io.github.pveusbgadget.gadget;

import io.github.pveusbgadget.config.UsbId;
import io.github.pveusbgadget.config.VmId;
import io.github.pveusbgadget.host.HostRoots;
import io.github.pveusbgadget.kernel.HostUsbBus;
import io.github.pveusbgadget.kernel.HostUsbDevice;
import io.github.pveusbgadget.kernel.KernelModules;
import io.github.pveusbgadget.kernel.MountTable;
import io.github.pveusbgadget.kernel.Udc;
import io.github.pveusbgadget.kernel.UdcRegistry;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the host shows that the gadget decisions depend on, read once ({@link #read}) and then only looked at: the
 * planner, {@code check} and {@code init} decide from the same picture, parsed in one place.
 *
 * @param loadedModules the gadget modules ({@link KernelModules#GADGET_MODULES}) that are loaded
 * @param udcs          every {@code dummy_udc.N}, in index order
 * @param gadgets       every gadget directory in configfs, ours and everybody else's
 * @param usbDevices    every USB device the host has enumerated
 */
public record HostSnapshot(Set<String> loadedModules, boolean configfsMounted, List<Udc> udcs,
                           List<ObservedGadget> gadgets, List<HostUsbDevice> usbDevices) {

    /** Reads the host under {@code roots}. */
    public static HostSnapshot read(HostRoots roots, KernelModules modules) {
        Set<String> loaded = KernelModules.GADGET_MODULES.stream().filter(modules::isLoaded)
                .collect(Collectors.toUnmodifiableSet());
        return new HostSnapshot(loaded, MountTable.read(roots.mountInfo()).hasMount(roots.configfs(), "configfs"),
                new UdcRegistry(roots.sysfs()).dummyUdcs(), new GadgetInspector(roots.gadgetRoot()).all(),
                new HostUsbBus(roots.sysfs()).devices());
    }

    public boolean isLoaded(String module) {
        return loadedModules.contains(module);
    }

    /** The VM's gadget, if its directory exists. */
    public Optional<ObservedGadget> ours(VmId vmId) {
        String name = GadgetLayout.nameOf(vmId);
        return gadgets.stream().filter(g -> g.name().equals(name)).findFirst();
    }

    /** Whether configfs holds no gadget but the VM's own (if any). */
    public boolean noGadgetBut(VmId vmId) {
        String name = GadgetLayout.nameOf(vmId);
        return gadgets.stream().allMatch(g -> g.name().equals(name));
    }

    /** The UDC named so, if dummy_hcd offers it. */
    public Optional<Udc> udc(String name) {
        return udcs.stream().filter(udc -> udc.name().equals(name)).findFirst();
    }

    /** The dummy UDCs no gadget is bound to, except {@code ignoring} (which {@code up} is about to rebuild). */
    public List<Udc> freeUdcs(Optional<ObservedGadget> ignoring) {
        Set<String> taken = gadgets.stream()
                .filter(g -> ignoring.isEmpty() || !g.dir().equals(ignoring.get().dir()))
                .flatMap(g -> g.udc().stream())
                .collect(Collectors.toSet());
        return udcs.stream().filter(udc -> !taken.contains(udc.name())).toList();
    }

    /** The host's view of a bound gadget: the device on its UDC's emulated bus, if the host enumerated it. */
    public Optional<HostUsbDevice> deviceOf(ObservedGadget gadget) {
        if (gadget.usbId().isEmpty() || gadget.hostController().isEmpty()) {
            return Optional.empty();
        }
        return usbDevices.stream()
                .filter(d -> d.usbId().equals(gadget.usbId().get()) && d.serial().equals(gadget.serial()))
                .filter(d -> d.controller().equals(gadget.hostController()))
                .findFirst();
    }

    /** Every VID:PID a gadget (of any name) or a USB device of the host has now. */
    public Set<UsbId> usbIdsInUse() {
        Set<UsbId> used = new HashSet<>();
        gadgets.forEach(g -> g.usbId().ifPresent(used::add));
        usbDevices.forEach(d -> used.add(d.usbId()));
        return used;
    }
}
