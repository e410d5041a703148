package io.github.pveusbgadget.config;

import io.github.pveusbgadget.ToolException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * The content of a fresh {@code <vmid>.conf}: what {@code init} and {@code attach} write. The values not given are
 * chosen: the default vendor, the first product id from {@link #FIRST_PRODUCT_ID} that nothing on the host uses, and
 * 16 random upper-case hex serial characters.
 *
 * @param image     the {@code --image} option as given
 * @param vendorId  {@code --vendor-id}, or null for the default
 * @param productId {@code --product-id}, or null to choose one
 * @param serial    {@code --serial}, or null to choose one
 */
public record NewConfig(String image, String vendorId, String productId, String serial) {
    /** Product ids handed out start here, clear of the Linux Foundation's own gadget and hub ids. */
    public static final int FIRST_PRODUCT_ID = 0x4000;

    /**
     * The file for VM {@code id}, with {@code used} the VID:PIDs and {@code usedSerials} the (upper-case) serials taken
     * on the host or by another config, and {@code random} for a serial.
     */
    public String render(VmId id, Set<UsbId> used, Set<String> usedSerials, Random random) {
        int vendor = vendorId == null ? GadgetConfig.DEFAULT_VENDOR_ID : parseId("--vendor-id", vendorId);
        int product = productId == null ? freeProductId(vendor, used) : parseId("--product-id", productId);
        String chosenSerial = serial;
        while (chosenSerial == null || (serial == null && usedSerials.contains(chosenSerial))) {
            chosenSerial = randomSerial(random);
        }
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

    private static int freeProductId(int vendor, Set<UsbId> used) {
        for (int product = FIRST_PRODUCT_ID; product <= 0xffff; product++) {
            if (!used.contains(new UsbId(vendor, product))) {
                return product;
            }
        }
        throw ToolException.refused("no free product id left for vendor " + new UsbId(vendor, 1).vendorAttribute());
    }

    /** 16 random upper-case hex characters, never all zero. */
    public static String randomSerial(Random random) {
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
