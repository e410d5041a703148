package io.github.pveusbgadget.config;

import java.util.Locale;

/**
 * The flash GUID unRAID licenses against, in the form its registration page shows: {@code VVVV-PPPP-SSSS-SSSSSSSSSSSS}.
 * VID and PID as 4 hex digits, then the serial with whitespace removed, left-padded with {@code 0} to 16 characters
 * or cut to its last 16, split 4 + 12; all upper case.
 *
 * <p>Why exactly this: unRAID's own USB creator builds the GUID it validates with Lime Technology's key server as
 * {@code (vid + "-" + pid + "-" + serial.rightJustified(16, '0').right(16).left(4) + "-" + ...mid(4)).toUpper()}
 * (github.com/unraid/usb-creator-next, src/unraidguidvalidator.cpp; the same in unraid/usb-creator,
 * deviceenumerator_windows.cpp and deviceenumerator_macos.cpp), which is the {@code %.4s-%.4s-%.4s-%.12s} of
 * PRODUCT.md. unRAID's webGui hides the boot flash from VM passthrough by matching the start of {@code flashGUID}
 * against lsusb's {@code VID:PID} with ':' turned into '-' (emhttp/plugins/dynamix.vm.manager/include/
 * libvirt_helpers.php), so the first two groups are the device's ids. The serial's whitespace is dropped as
 * PRODUCT.md states (the kernel reports a serial as the device gives it; unRAID's emhttp, which reads it, is not
 * public).
 */
public final class UnraidGuid {
    private static final int SERIAL_DIGITS = 16;

    private final String text;

    private UnraidGuid(String text) {
        this.text = text;
    }

    /** The GUID of a drive with these ids and this serial (as configured, or as configfs/sysfs report it). */
    public static UnraidGuid of(UsbId usbId, String serial) {
        String compact = serial.replaceAll("\\s+", "").toUpperCase(Locale.ROOT);
        String padded = "0".repeat(Math.max(0, SERIAL_DIGITS - compact.length())) + compact;
        String last16 = padded.substring(padded.length() - SERIAL_DIGITS);
        return new UnraidGuid((usbId.vendorHex() + "-" + usbId.productHex()).toUpperCase(Locale.ROOT) + "-"
                + last16.substring(0, 4) + "-" + last16.substring(4));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof UnraidGuid guid && guid.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    /** {@code 1D6B-4000-3C53-060DC39DDDA5}. */
    @Override
    public String toString() {
        return text;
    }
}
