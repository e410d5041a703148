package io.github.pveusbgadget.kernel;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A USB device the host has enumerated, as {@code /sys/bus/usb/devices/<name>} shows it.
 *
 * @param name       the bus-port name, e.g. {@code 2-1}
 * @param devicePath its directory under {@code /sys/devices}
 * @param vendorHex  {@code idVendor}, four lower-case hex digits
 * @param productHex {@code idProduct}
 * @param serial     its serial string, empty when it has none
 * @param controller {@code dummy_hcd.N} when it sits on an emulated bus of {@code dummy_hcd}
 */
public record HostUsbDevice(String name, Path devicePath, String vendorHex, String productHex, String serial,
                            Optional<String> controller) {

    public String usbId() {
        return vendorHex + ":" + productHex;
    }
}
