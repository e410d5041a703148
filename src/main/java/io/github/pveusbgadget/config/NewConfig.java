package io.github.pveusbgadget.config;

import io.github.pveusbgadget.ToolException;
import java.nio.file.FileSystem;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;

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
     * Checks every option given, naming the option: a bad value is the command line's fault (exit 2), not that of
     * a file that does not exist yet.
     */
    public NewConfig validated(FileSystem fileSystem) {
        if (image != null) {
            option("--image", image, value -> ConfigParser.checkImagePath(fileSystem, value));
        }
        if (vendorId != null) {
            option("--vendor-id", vendorId, ConfigParser::parseHexId);
        }
        if (productId != null) {
            option("--product-id", productId, ConfigParser::parseHexId);
        }
        if (serial != null) {
            option("--serial", serial, ConfigParser::parseSerial);
        }
        return this;
    }

    private static <T> T option(String option, String value, Function<String, T> parse) {
        try {
            return parse.apply(value);
        } catch (IllegalArgumentException e) {
            throw ToolException.badInput(option + ": " + e.getMessage());
        }
    }

    /**
     * The file for VM {@code id}, with {@code used} the VID:PIDs and {@code usedSerials} the (upper-case) serials taken
     * on the host or by another config, and {@code random} for a serial.
     */
    public String render(VmId id, Set<UsbId> used, Set<String> usedSerials, Random random) {
        int vendor = vendorId == null ? GadgetConfig.DEFAULT_VENDOR_ID
                : option("--vendor-id", vendorId, ConfigParser::parseHexId);
        int product = productId == null ? freeProductId(vendor, used)
                : option("--product-id", productId, ConfigParser::parseHexId);
        String chosenSerial = serial;
        while (chosenSerial == null || (serial == null && usedSerials.contains(chosenSerial))) {
            chosenSerial = randomSerial(random);
        }
        UsbId usbId = new UsbId(vendor, product);
        return "# pve-usb-gadget configuration of VM " + id + ", written by 'pve-usb-gadget init'.\n"
                + "# vendor_id, product_id and serial are the drive's identity (unRAID licenses against\n"
                + "# " + UnraidGuid.of(usbId, chosenSerial) + "): keep them stable. Every key: man pve-usb-gadget,\n"
                + "# or 'pve-usb-gadget init --help'.\n"
                + "image = " + image + "\n"
                + "vendor_id = " + usbId.vendorAttribute() + "\n"
                + "product_id = " + usbId.productAttribute() + "\n"
                + "serial = " + chosenSerial + "\n";
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
