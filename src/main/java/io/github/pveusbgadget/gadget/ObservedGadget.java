package io.github.pveusbgadget.gadget;

import io.github.pveusbgadget.config.VmId;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A gadget as configfs shows it now, possibly half-built: what teardown must remove, and what {@code up} compares
 * with the wanted state.
 *
 * @param vmId          the VM when the gadget is one of ours
 * @param udc           the UDC it is bound to, empty when unbound
 * @param configLinks   function links inside {@code configs/*}
 * @param configStrings {@code configs/*}{@code /strings/*} directories
 * @param osDescLinks   links inside {@code os_desc}
 */
public record ObservedGadget(
        Path dir,
        Optional<VmId> vmId,
        String udc,
        String idVendor,
        String idProduct,
        String serial,
        List<Path> configLinks,
        List<Path> configStrings,
        List<Path> configs,
        List<Path> functions,
        List<Path> gadgetStrings,
        List<Path> osDescLinks,
        List<Lun> luns) {

    /** A mass-storage LUN and its backing file as the kernel reports it. */
    public record Lun(Path dir, String file, String ro, String cdrom, String removable, String nofua) {
    }

    public String name() {
        return dir.getFileName().toString();
    }

    public boolean isBound() {
        return !udc.isBlank();
    }

    /** The backing files of its LUNs that are set. */
    public List<String> backingFiles() {
        return luns.stream().map(Lun::file).filter(f -> !f.isBlank()).toList();
    }
}
