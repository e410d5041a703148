package io.github.pveusbgadget.proxmox;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which USB controller qemu-server gives a VM, as {@code PVE::QemuServer::USB} decides it: on machine version 7.1 or
 * newer with ostype {@code l26} or Windows newer than 7, every {@code usbN} goes to a qemu-xhci controller (USB 3;
 * {@code usb3=1} is ignored there) and {@code usb0}..{@code usb13} may be used; otherwise only {@code usb0}..
 * {@code usb4}, and {@code usb3=1} is what puts a device on an xhci controller (without it: USB 2).
 */
public final class UsbController {
    /** usb0..usb13 with qemu-xhci ({@code $MAX_USB_DEVICES}). */
    public static final int XHCI_SLOTS = 14;
    /** usb0..usb4 otherwise ({@code $OLD_MAX_USB}). */
    public static final int OLD_SLOTS = 5;
    private static final Pattern VERSION = Pattern.compile("-(\\d+)\\.(\\d+)");
    private static final Pattern WINDOWS = Pattern.compile("win(\\d+)");

    private UsbController() {
    }

    /**
     * Whether {@code vm} gets qemu-xhci. A machine type without a version ({@code q35}, none at all) starts with the
     * installed QEMU's, which is newer than 7.1 on every Proxmox VE this tool supports (8 and 9).
     */
    public static boolean usesQemuXhci(VmConfig vm) {
        String ostype = vm.get("ostype").orElse("");
        Matcher windows = WINDOWS.matcher(ostype);
        boolean modernOs = ostype.equals("l26") || (windows.matches() && Integer.parseInt(windows.group(1)) > 7);
        return modernOs && machineVersion(vm).map(v -> v[0] > 7 || (v[0] == 7 && v[1] >= 1)).orElse(true);
    }

    /** How many {@code usbN} slots qemu-server lets {@code vm} use. */
    public static int slots(VmConfig vm) {
        return usesQemuXhci(vm) ? XHCI_SLOTS : OLD_SLOTS;
    }

    /** Why only {@link #OLD_SLOTS} slots, as qemu-server words it. */
    public static String slotRule() {
        return "usb5 and up need machine type >= 7.1 and ostype l26 or windows > 7";
    }

    /** The version pinned in {@code machine: pc-q35-6.2+pve1,...} (or {@code type=...}), if any. */
    private static Optional<int[]> machineVersion(VmConfig vm) {
        String type = vm.get("machine").orElse("").split(",")[0].replaceFirst("^type=", "");
        Matcher m = VERSION.matcher(type);
        return m.find() ? Optional.of(new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))})
                : Optional.empty();
    }
}
