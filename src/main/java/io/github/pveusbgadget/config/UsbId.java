package io.github.pveusbgadget.config;

import java.util.HexFormat;

/** A USB vendor:product pair. Formats itself the ways sysfs, configfs, Proxmox and unRAID want it. */
public record UsbId(int vendorId, int productId) {

    public UsbId {
        if (vendorId < 1 || vendorId > 0xffff || productId < 1 || productId > 0xffff) {
            throw new IllegalArgumentException("USB ids are 16-bit and non-zero");
        }
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
