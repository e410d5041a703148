package io.github.pveusbgadget.cli;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.config.GadgetConfig;
import io.github.pveusbgadget.config.UnraidGuid;
import io.github.pveusbgadget.config.UsbId;
import io.github.pveusbgadget.config.VmId;
import io.github.pveusbgadget.gadget.ObservedGadget;
import io.github.pveusbgadget.kernel.HostUsbDevice;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/** The content of a fresh {@code <vmid>.conf}: what {@code init} and {@code attach} write. */
final class NewConfig {
    /** Product ids handed out start here, clear of the Linux Foundation's own gadget and hub ids. */
    static final int FIRST_PRODUCT_ID = 0x4000;

    private final Services services;
    private final String image;
    private final String vendorId;
    private final String productId;
    private final String serial;

    /** {@code vendorId}, {@code productId} and {@code serial} may be null: then they are chosen. */
    NewConfig(Services services, String image, String vendorId, String productId, String serial) {
        this.services = services;
        this.image = image;
        this.vendorId = vendorId;
        this.productId = productId;
        this.serial = serial;
    }

    String render(VmId id) {
        int vendor = vendorId == null ? GadgetConfig.DEFAULT_VENDOR_ID : parseId("--vendor-id", vendorId);
        int product = productId == null ? freeProductId(id, vendor) : parseId("--product-id", productId);
        String chosenSerial = serial == null ? randomSerial(services.environment().random().get()) : serial;
        UsbId usbId = new UsbId(vendor, product);
        return "# pve-usb-gadget configuration of VM " + id + ", written by 'pve-usb-gadget init'.\n"
                + "# vendor_id, product_id and serial are the drive's identity (unRAID licenses against\n"
                + "# " + UnraidGuid.of(usbId, chosenSerial) + "): keep them stable. Keys: see PRODUCT.md.\n"
                + "image = " + image + "\n"
                + "vendor_id = " + usbId.vendorAttribute() + "\n"
                + "product_id = " + usbId.productAttribute() + "\n"
                + "serial = " + chosenSerial + "\n";
    }

    private static int parseId(String option, String value) {
        if (!value.matches("0[xX][0-9a-fA-F]{1,4}") || Integer.decode(value) == 0) {
            throw ToolException.badInput(option + " '" + value + "' is not a non-zero hex id like 0x1d6b");
        }
        return Integer.decode(value);
    }

    /** The first product id from {@link #FIRST_PRODUCT_ID} that no other config, gadget or host device uses. */
    private int freeProductId(VmId id, int vendor) {
        Set<String> used = new HashSet<>();
        for (VmId other : services.store().list()) {
            if (!other.equals(id)) {
                try {
                    used.add(services.store().load(other).usbId().toString());
                } catch (ToolException e) {
                    // An unreadable neighbour cannot claim an id; check reports it on its own.
                }
            }
        }
        for (ObservedGadget gadget : services.inspector().all()) {
            used.add(gadget.idVendor().replaceFirst("^0x", "") + ":" + gadget.idProduct().replaceFirst("^0x", ""));
        }
        services.usb().devices().stream().map(HostUsbDevice::usbId).forEach(used::add);
        for (int product = FIRST_PRODUCT_ID; product <= 0xffff; product++) {
            if (!used.contains(new UsbId(vendor, product).toString())) {
                return product;
            }
        }
        throw ToolException.refused("no free product id left for vendor " + new UsbId(vendor, 1).vendorAttribute());
    }

    static String randomSerial(Random random) {
        while (true) {
            byte[] bytes = new byte[8];
            random.nextBytes(bytes);
            String serial = HexFormat.of().formatHex(bytes).toUpperCase(Locale.ROOT);
            if (!serial.matches("0+")) {
                return serial;
            }
        }
    }
}
