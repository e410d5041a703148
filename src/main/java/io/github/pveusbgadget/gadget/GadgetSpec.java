package io.github.pveusbgadget.gadget;

import io.github.pveusbgadget.config.GadgetConfig;
import io.github.pveusbgadget.config.MaxSpeed;
import io.github.pveusbgadget.kernel.Udc;
import java.util.Optional;

/**
 * The gadget {@code up} wants: the VM's configuration placed on a chosen UDC at a chosen speed.
 *
 * @param udcPredicted whether the UDC is a prediction (dry run before {@code dummy_hcd} is loaded)
 */
public record GadgetSpec(GadgetLayout layout, GadgetConfig config, Udc udc, MaxSpeed speed, boolean udcPredicted) {
    /** bcdDevice of every gadget we build (the device's release number, shown by lsusb). */
    public static final String BCD_DEVICE = "0x0100";
    /** bcdUSB; the composite driver raises it itself when the link runs at super speed. */
    public static final String BCD_USB = "0x0200";
    public static final String CONFIGURATION_NAME = "Mass Storage";
    public static final String MAX_POWER_MA = "500";

    /**
     * Whether an existing gadget already is the one {@code config} wants, bound and complete, so {@code up} can leave
     * it alone.
     */
    public static boolean satisfies(ObservedGadget gadget, GadgetConfig config, GadgetLayout layout) {
        if (!gadget.isBound() || gadget.luns().size() != 1 || gadget.configLinks().size() != 1
                || !gadget.configLinks().get(0).equals(layout.functionLink())) {
            return false;
        }
        ObservedGadget.Lun lun = gadget.luns().get(0);
        return gadget.usbId().equals(Optional.of(config.usbId()))
                && gadget.serial().equals(config.serial())
                && lun.dir().equals(layout.lun())
                && lun.file().equals(config.image().toString())
                && lun.flags().equals(Optional.of(new ObservedGadget.LunFlags(config.readOnly(), config.cdrom(),
                        config.removable(), config.noFua())));
    }
}
