package io.github.pveusbgadget.kernel;

import io.github.pveusbgadget.config.UsbId;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A USB device the host has enumerated, as {@code /sys/bus/usb/devices/<name>} shows it.
 *
 * @param name         the bus-port name, e.g. {@code 2-1}
 * @param devicePath   its directory under {@code /sys/devices}
 * @param usbId        its {@code idVendor:idProduct}
 * @param serial       its serial string, empty when it has none
 * @param controller   {@code dummy_hcd.N} when it sits on an emulated bus of {@code dummy_hcd}
 * @param blockDevices the block devices ({@code sdX}) the host made of it, for a device on an emulated bus
 */
public record HostUsbDevice(String name, Path devicePath, UsbId usbId, String serial, Optional<String> controller,
                            List<String> blockDevices) {

    /** Whether it is a device of the host's own hardware, not one of dummy_hcd's emulated buses. */
    public boolean isPhysical() {
        return controller.isEmpty();
    }
}
