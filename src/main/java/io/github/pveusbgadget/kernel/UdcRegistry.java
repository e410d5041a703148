package io.github.pveusbgadget.kernel;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** The dummy UDCs in {@code /sys/class/udc}. Real UDCs of the host are never offered. */
public final class UdcRegistry {
    private final Path sysfs;

    public UdcRegistry(Path sysfs) {
        this.sysfs = sysfs;
    }

    /** Every {@code dummy_udc.N}, in index order. */
    public List<Udc> dummyUdcs() {
        return SysfsFiles.list(sysfs.resolve("class").resolve("udc")).stream()
                .map(path -> path.getFileName().toString())
                .filter(name -> Udc.indexOf(name) >= 0)
                .map(name -> new Udc(name, Udc.indexOf(name), SysfsFiles.read(
                        sysfs.resolve("class").resolve("udc").resolve(name).resolve("maximum_speed")).orElse("")))
                .sorted(Comparator.comparingInt(Udc::index))
                .toList();
    }

    public Optional<Udc> find(String name) {
        return dummyUdcs().stream().filter(udc -> udc.name().equals(name)).findFirst();
    }
}
