package io.github.pveusbgadget.gadget;

import io.github.pveusbgadget.config.UsbId;
import io.github.pveusbgadget.config.VmId;
import io.github.pveusbgadget.kernel.Udc;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A gadget as configfs shows it now, possibly half-built, its attributes parsed once ({@link GadgetInspector}):
 * what teardown must remove, and what {@code up} compares with the wanted state.
 *
 * @param vmId          the VM when the gadget is one of ours
 * @param udc           the UDC it is bound to, empty when unbound
 * @param usbId         its {@code idVendor:idProduct}, empty when they are not valid ids (a half-built gadget)
 * @param configLinks   function links inside {@code configs/*}
 * @param configStrings {@code configs/*}{@code /strings/*} directories
 * @param osDescLinks   links inside {@code os_desc}
 */
public record ObservedGadget(
        Path dir,
        Optional<VmId> vmId,
        Optional<String> udc,
        Optional<UsbId> usbId,
        String serial,
        List<Path> configLinks,
        List<Path> configStrings,
        List<Path> configs,
        List<Path> functions,
        List<Path> gadgetStrings,
        List<Path> osDescLinks,
        List<Lun> luns) {

    /**
     * A mass-storage LUN and its backing file as the kernel reports it.
     *
     * @param flags its {@code ro}, {@code cdrom}, {@code removable} and {@code nofua}, empty when one of them does
     *              not read as 0 or 1
     */
    public record Lun(Path dir, String file, Optional<LunFlags> flags) {
    }

    /** The mode bits of a LUN. */
    public record LunFlags(boolean readOnly, boolean cdrom, boolean removable, boolean noFua) {
    }

    public String name() {
        return dir.getFileName().toString();
    }

    public boolean isBound() {
        return udc.isPresent();
    }

    /** {@code dummy_hcd.N}, the host controller on whose bus the host sees it, when it is bound to a dummy UDC. */
    public Optional<String> hostController() {
        return udc.map(Udc::indexOf).filter(index -> index >= 0).map(index -> "dummy_hcd." + index);
    }

    /** The backing files of its LUNs that are set. */
    public List<String> backingFiles() {
        return luns.stream().map(Lun::file).filter(f -> !f.isBlank()).toList();
    }
}
