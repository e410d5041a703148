package io.github.pveusbgadget.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * One VM's validated {@code <vmid>.conf}: every key of PRODUCT.md with its default applied.
 *
 * @param maxSpeed   empty when the config leaves it to the UDC ("super when the UDC offers it")
 * @param backupKeep how many copies of the image {@code down} keeps (0: none)
 */
public record GadgetConfig(
        VmId vmId,
        Path source,
        Path image,
        UsbId usbId,
        String serial,
        String manufacturer,
        String product,
        String inquiryVendor,
        String inquiryProduct,
        String inquiryRevision,
        boolean readOnly,
        boolean removable,
        boolean cdrom,
        boolean noFua,
        Optional<MaxSpeed> maxSpeed,
        Duration enumerateTimeout,
        int backupKeep) {

    /** Default USB vendor id: the Linux Foundation, as the kernel's own gadgets use. */
    public static final int DEFAULT_VENDOR_ID = 0x1d6b;
    public static final String DEFAULT_MANUFACTURER = "pve-usb-gadget";
    public static final String DEFAULT_PRODUCT = "Virtual Flash";
    public static final String DEFAULT_INQUIRY_VENDOR = "PVE";
    public static final String DEFAULT_INQUIRY_PRODUCT = "Virtual Flash";
    public static final String DEFAULT_INQUIRY_REVISION = "1.00";
    public static final Duration DEFAULT_ENUMERATE_TIMEOUT = Duration.ofSeconds(10);

    /** The SCSI INQUIRY string: vendor, product and revision padded to 8, 16 and 4 characters. */
    public String inquiryString() {
        return String.format(Locale.ROOT, "%-8s%-16s%-4s", inquiryVendor, inquiryProduct, inquiryRevision);
    }

    /** The GUID unRAID licenses against, as its registration page shows it (see {@link UnraidGuid}). */
    public String unraidGuid() {
        return UnraidGuid.of(usbId, serial).toString();
    }
}
