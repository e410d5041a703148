package io.github.pveusbgadget.config;

import java.util.HexFormat;
import java.util.Optional;

/** A USB vendor:product pair. Formats itself the ways sysfs, configfs, Proxmox and unRAID want it. */
public record UsbId(int vendorId, int productId) {

    public UsbId {
        if (vendorId < 1 || vendorId > 0xffff || productId < 1 || productId > 0xffff) {
            throw new IllegalArgumentException("USB ids are 16-bit and non-zero");
        }
    }

    /**
     * The pair as the kernel shows it: configfs {@code idVendor}/{@code idProduct} ({@code 0x1d6b}) or sysfs
     * ({@code 1d6b}, plain hex). The one parser of USB ids read from the host; empty when they are not valid ids.
     */
    public static Optional<UsbId> parse(String vendor, String product) {
        try {
            return Optional.of(new UsbId(hex(vendor), hex(product)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static int hex(String attribute) {
        String digits = attribute.strip().replaceFirst("^0[xX]", "");
        if (!digits.matches("[0-9a-fA-F]{1,4}")) {
            throw new IllegalArgumentException("not a USB id: " + attribute);
        }
        return Integer.parseInt(digits, 16);
    }

    /** {@code 1d6b}: as sysfs shows {@code idVendor}. */
    public String vendorHex() {
        return HexFormat.of().toHexDigits((short) vendorId);
    }

    /** {@code 0200}: as sysfs shows {@code idProduct}. */
    public String productHex() {
        return HexFormat.of().toHexDigits((short) productId);
    }

    /** {@code 0x1d6b}: as written to configfs {@code idVendor}. */
    public String vendorAttribute() {
        return "0x" + vendorHex();
    }

    /** {@code 0x0200}: as written to configfs {@code idProduct}. */
    public String productAttribute() {
        return "0x" + productHex();
    }

    /** {@code 1d6b:0200}: as {@code lsusb} and Proxmox's {@code usbN: host=} show it. */
    @Override
    public String toString() {
        return vendorHex() + ":" + productHex();
    }
}
