package io.github.pveusbgadget.kernel;

import io.github.pveusbgadget.config.UsbId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** The host's side of USB: the devices it has enumerated, and the block devices they became. */
public final class HostUsbBus {
    private static final int BLOCK_SEARCH_DEPTH = 7;

    private final Path sysfs;

    public HostUsbBus(Path sysfs) {
        this.sysfs = sysfs;
    }

    /** Every enumerated USB device (interfaces and root hubs' ports are skipped). */
    public List<HostUsbDevice> devices() {
        List<HostUsbDevice> devices = new ArrayList<>();
        for (Path entry : SysfsFiles.list(sysfs.resolve("bus").resolve("usb").resolve("devices"))) {
            Optional<UsbId> usbId = UsbId.parse(SysfsFiles.read(entry.resolve("idVendor")).orElse(""),
                    SysfsFiles.read(entry.resolve("idProduct")).orElse(""));
            if (usbId.isEmpty()) {
                continue;
            }
            Path real = realPath(entry);
            Optional<String> controller = controllerOf(real);
            devices.add(new HostUsbDevice(entry.getFileName().toString(), real, usbId.get(),
                    SysfsFiles.read(entry.resolve("serial")).orElse(""), controller,
                    controller.isPresent() ? blockDevicesOf(real) : List.of()));
        }
        return devices;
    }

    /** The device with this identity on the bus of {@code controller} ({@code dummy_hcd.N}). */
    public Optional<HostUsbDevice> find(UsbId usbId, String serial, String controller) {
        return devices().stream()
                .filter(d -> d.usbId().equals(usbId))
                .filter(d -> d.serial().equals(serial))
                .filter(d -> d.controller().filter(controller::equals).isPresent())
                .findFirst();
    }

    /** The block devices ({@code sdX}) the host made of a device, if its storage driver is bound. */
    private static List<String> blockDevicesOf(Path devicePath) {
        if (!Files.isDirectory(devicePath)) {
            return List.of();
        }
        try (Stream<Path> paths = Files.walk(devicePath, BLOCK_SEARCH_DEPTH)) {
            return paths.filter(p -> p.getFileName() != null && p.getFileName().toString().equals("block"))
                    .flatMap(block -> SysfsFiles.list(block).stream())
                    .map(p -> p.getFileName().toString())
                    .distinct()
                    .sorted()
                    .toList();
        } catch (IOException | RuntimeException e) {
            // The device may vanish while we look: then it has no block device.
            return List.of();
        }
    }

    private static Path realPath(Path entry) {
        try {
            return entry.toRealPath();
        } catch (IOException e) {
            return entry;
        }
    }

    private static Optional<String> controllerOf(Path devicePath) {
        for (Path part : devicePath) {
            String name = part.toString();
            if (name.startsWith("dummy_hcd.")) {
                return Optional.of(name);
            }
        }
        return Optional.empty();
    }
}
