package io.github.pveusbgadget.proxmox;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.config.VmId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Pure planning of what {@code attach} and {@code detach} change in a VM's Proxmox configuration: from the observed
 * {@code qm config} to the options of one {@code qm set}, or a refusal that says what to do instead.
 */
public final class VmWiring {
    /** The file name of the hookscript shim in a snippets storage. */
    public static final String HOOK_NAME = "pve-usb-gadget-hook";
    /** Where the .deb installs the shim; an existing hookscript can call it to chain ours. */
    public static final String INSTALLED_HOOK = "/usr/share/pve-usb-gadget/" + HOOK_NAME;
    /** Proxmox VE 7.1+ allows usb0 to usb13 (older machine versions only usb0 to usb4). */
    public static final int USB_SLOTS = 14;

    private static final Pattern OUR_HOOK = Pattern.compile("[A-Za-z][A-Za-z0-9._-]*:snippets/"
            + Pattern.quote(HOOK_NAME));
    private static final Pattern DRIVE = Pattern.compile("(ide|sata|scsi|virtio)[0-9]+");
    private static final Pattern NET = Pattern.compile("net[0-9]+");

    /**
     * What {@code attach} wants.
     *
     * @param usbId       {@code vendor:product} of the VM's drive, lower-case hex
     * @param slot        the {@code usbN} the user asked for, if any
     * @param hookVolume  {@code <storage>:snippets/pve-usb-gadget-hook}; empty to leave the hookscript alone
     * @param force       replace a different hookscript or an occupied {@code usbN}
     * @param mapping     pass the drive through this USB resource mapping ({@code mapping=ID}) instead of
     *                    {@code host=VID:PID}
     * @param ourMappings the USB resource mappings that map {@code usbId} (an entry naming one is the drive's)
     */
    public record AttachRequest(String usbId, Optional<Integer> slot, Optional<String> hookVolume, boolean force,
                                Optional<String> mapping, Set<String> ourMappings) {
        public AttachRequest(String usbId, Optional<Integer> slot, Optional<String> hookVolume, boolean force) {
            this(usbId, slot, hookVolume, force, Optional.empty(), Set.of());
        }
    }

    /**
     * The outcome of planning.
     *
     * @param options the options of {@code qm set <vmid>}; empty when the VM is already as wanted
     * @param slot    the {@code usbN} key the drive is (or stays) on, if any
     * @param notes   one-line remarks for the user (what changes and why, what is left alone)
     */
    public record Change(List<String> options, Optional<String> slot, List<String> notes) {
        public boolean isEmpty() {
            return options.isEmpty();
        }
    }

    private VmWiring() {
    }

    public static String hookVolume(String storage) {
        return storage + ":snippets/" + HOOK_NAME;
    }

    /** Whether {@code volid} is our shim in some snippets storage. */
    public static boolean isOurHook(String volid) {
        return OUR_HOOK.matcher(volid).matches();
    }

    /** The storage of a {@code <storage>:snippets/...} volume id. */
    public static Optional<String> storageOf(String volid) {
        int colon = volid.indexOf(':');
        return colon > 0 ? Optional.of(volid.substring(0, colon)) : Optional.empty();
    }

    /** The value of the {@code usbN} entry that passes {@code usbId} through at USB 3 speed. */
    public static String usbValue(String usbId) {
        return "host=" + usbId + ",usb3=1";
    }

    /** The value of the {@code usbN} entry that passes USB resource mapping {@code id} through at USB 3 speed. */
    public static String mappingValue(String id) {
        return "mapping=" + id + ",usb3=1";
    }

    /** Whether a {@code usbN} value passes its device through at USB 3 speed ({@code usb3=1}, or on/yes/true). */
    public static boolean passesAtUsb3(String usbValue) {
        return usbValue.matches("(.*,)?usb3=(1|on|yes|true)(,.*)?");
    }

    /** How to run our hook from an existing hookscript instead of replacing it. */
    public static String chainAdvice(String existing) {
        return "to keep " + existing + ", make it run ours for every phase, e.g. in Perl: "
                + "system('" + INSTALLED_HOOK + "', $vmid, $phase) == 0 or exit(1); in sh: " + INSTALLED_HOOK
                + " \"$1\" \"$2\" || exit 1; then rerun attach with --keep-hookscript";
    }

    public static Change planAttach(VmId vmId, VmConfig vm, AttachRequest request) {
        List<String> options = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<String> deletes = new ArrayList<>();

        // The hookscript.
        Optional<String> hook = vm.hookscript();
        if (request.hookVolume().isPresent()) {
            String wanted = request.hookVolume().get();
            if (hook.isEmpty()) {
                options.addAll(List.of("--hookscript", wanted));
            } else if (!hook.get().equals(wanted)) {
                if (!isOurHook(hook.get()) && !request.force()) {
                    throw ToolException.refused("VM " + vmId + " already has hookscript " + hook.get()
                            + "; replace it with --force, or " + chainAdvice(hook.get()));
                }
                notes.add(isOurHook(hook.get()) ? "moving hookscript from " + hook.get()
                        : "replacing hookscript " + hook.get() + " (to get it back later: qm set " + vmId
                        + " --hookscript " + hook.get() + ")");
                options.addAll(List.of("--hookscript", wanted));
            }
        } else if (hook.isEmpty() || !isOurHook(hook.get())) {
            notes.add("hookscript " + hook.orElse("(none)") + " left as it is: it must run " + INSTALLED_HOOK
                    + " <vmid> <phase> or the drive is never built");
        }

        // The usbN entry.
        Map<Integer, String> usb = vm.usbEntries();
        Set<String> ours = new HashSet<>(request.ourMappings());
        request.mapping().ifPresent(ours::add);
        Optional<String> current = vm.usbSlotFor(request.usbId(), ours);
        String slot;
        if (request.slot().isPresent()) {
            int n = request.slot().get();
            if (n < 0 || n >= USB_SLOTS) {
                throw ToolException.badInput("--usb-slot " + n + " is out of range: Proxmox has usb0 to usb"
                        + (USB_SLOTS - 1));
            }
            if (n >= UsbController.slots(vm)) {
                throw ToolException.badInput("--usb-slot " + n + " does not fit VM " + vmId + ": "
                        + UsbController.slotRule() + " (qemu-server refuses to start it); use usb0 to usb"
                        + (UsbController.OLD_SLOTS - 1));
            }
            slot = "usb" + n;
            String occupant = usb.get(n);
            if (occupant != null && !VmConfig.passes(occupant, request.usbId(), ours)) {
                if (!request.force()) {
                    throw ToolException.refused("VM " + vmId + "'s " + slot + " is already '" + occupant
                            + "'; leave --usb-slot out to use a free slot, or replace it with --force");
                }
                notes.add("replacing " + slot + " '" + occupant + "'");
            }
            if (current.isPresent() && !current.get().equals(slot)) {
                notes.add("moving the drive from " + current.get() + " to " + slot);
                deletes.add(current.get());
            }
        } else if (current.isPresent()) {
            slot = current.get();
        } else {
            int slots = UsbController.slots(vm);
            int free = 0;
            while (free < slots && usb.containsKey(free)) {
                free++;
            }
            if (free == slots) {
                throw ToolException.refused("VM " + vmId + " has no free usbN slot (usb0 to usb" + (slots - 1)
                        + " are taken" + (slots < USB_SLOTS ? "; " + UsbController.slotRule() : "")
                        + "); free one, or take one over with --usb-slot N --force");
            }
            slot = "usb" + free;
        }
        String wantedUsb = request.mapping().map(VmWiring::mappingValue).orElse(usbValue(request.usbId()));
        if (!wantedUsb.equals(vm.get(slot).orElse(null))) {
            options.addAll(List.of("--" + slot, wantedUsb));
        }

        // The boot order: the drive first, the rest as it was, less devices the VM does not have (qm set refuses an
        // order naming one: "invalid bootorder: device '...' does not exist").
        List<String> order = effectiveBootOrder(vm);
        List<String> missing = missingDevices(vm, order);
        if (!missing.isEmpty()) {
            notes.add("dropping " + String.join(", ", missing) + " from the boot order: the VM has no such device");
        }
        List<String> wantedOrder = new ArrayList<>();
        wantedOrder.add(slot);
        order.stream().filter(d -> !d.equals(slot) && !deletes.contains(d) && !missing.contains(d))
                .forEach(wantedOrder::add);
        if (!wantedOrder.equals(vm.bootOrder())) {
            options.addAll(List.of("--boot", "order=" + String.join(";", wantedOrder)));
        }
        if (!deletes.isEmpty()) {
            options.addAll(List.of("--delete", String.join(",", deletes)));
        }
        return new Change(List.copyOf(options), Optional.of(slot), List.copyOf(notes));
    }

    /**
     * Undoes {@link #planAttach}: deletes the {@code usbN} that passes {@code usbId} through and our hookscript, and
     * takes the slot out of the boot order. Everything else (a foreign hookscript, other devices) stays.
     */
    public static Change planDetach(VmId vmId, VmConfig vm, Optional<String> usbId) {
        return planDetach(vmId, vm, usbId, Set.of());
    }

    /** {@link #planDetach(VmId, VmConfig, Optional)}, the drive also found through {@code ourMappings}. */
    public static Change planDetach(VmId vmId, VmConfig vm, Optional<String> usbId, Set<String> ourMappings) {
        List<String> options = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<String> deletes = new ArrayList<>();
        Optional<String> slot = usbId.flatMap(u -> vm.usbSlotFor(u, ourMappings));
        if (usbId.isEmpty()) {
            notes.add("VM " + vmId + " has no pve-usb-gadget config: cannot tell which usbN is its drive; "
                    + "usb entries left as they are");
        } else if (slot.isEmpty()) {
            notes.add("no usbN passes " + usbId.get() + " through");
        } else {
            deletes.add(slot.get());
            vm.get(slot.get()).flatMap(VmConfig::mappingOf).ifPresent(m -> notes.add("USB mapping " + m + " stays "
                    + "(cluster-wide; it may serve other VMs): remove it with pvesh delete " + Pvesh.USB_MAPPINGS + "/"
                    + m));
        }
        Optional<String> hook = vm.hookscript();
        if (hook.isPresent() && isOurHook(hook.get())) {
            deletes.add("hookscript");
        } else if (hook.isPresent()) {
            notes.add("hookscript " + hook.get() + " is not ours and stays; remove the call to " + INSTALLED_HOOK
                    + " from it if you added one");
        }
        List<String> order = vm.bootOrder();
        if (slot.isPresent() && order.contains(slot.get())) {
            List<String> missing = missingDevices(vm, order);
            List<String> rest = order.stream().filter(d -> !d.equals(slot.get()) && !missing.contains(d)).toList();
            if (rest.isEmpty()) {
                deletes.add("boot");
            } else {
                options.addAll(List.of("--boot", "order=" + String.join(";", rest)));
            }
        }
        if (!deletes.isEmpty()) {
            options.addAll(List.of("--delete", String.join(",", deletes)));
        }
        return new Change(List.copyOf(options), slot, List.copyOf(notes));
    }

    /** The entries of {@code order} that name no device of {@code vm}. */
    private static List<String> missingDevices(VmConfig vm, List<String> order) {
        return order.stream().filter(d -> vm.get(d).isEmpty()).toList();
    }

    /**
     * The boot order Proxmox uses: {@code boot: order=...} if set, else the one it derives from the legacy
     * {@code boot: [legacy=]cdn} letters (default {@code cdn}): c the boot disk, d the CD-ROM drives, n the NICs.
     */
    public static List<String> effectiveBootOrder(VmConfig vm) {
        List<String> explicit = vm.bootOrder();
        if (!explicit.isEmpty()) {
            return explicit;
        }
        String legacy = "cdn";
        for (String part : vm.get("boot").orElse("").split(",")) {
            String value = part.startsWith("legacy=") ? part.substring("legacy=".length()) : part;
            if (value.matches("[acdn]{1,4}")) {
                legacy = value;
            }
        }
        List<String> drives = vm.keys().stream().filter(k -> DRIVE.matcher(k).matches())
                .filter(k -> !vm.get(k).orElse("").contains("cloudinit")).sorted(VmWiring::byKey).toList();
        List<String> cdroms = drives.stream().filter(k -> vm.get(k).orElse("").contains("media=cdrom")).toList();
        Optional<String> disk = vm.get("bootdisk").filter(drives::contains)
                .or(() -> drives.stream().filter(k -> !cdroms.contains(k)).findFirst());
        List<String> order = new ArrayList<>();
        for (char c : legacy.toCharArray()) {
            switch (c) {
                case 'c' -> disk.ifPresent(order::add);
                case 'd' -> order.addAll(cdroms);
                case 'n' -> vm.keys().stream().filter(k -> NET.matcher(k).matches()).sorted(VmWiring::byKey)
                        .forEach(order::add);
                default -> {
                }
            }
        }
        return order.stream().distinct().toList();
    }

    /** {@code ide2} before {@code scsi0}, {@code net2} before {@code net10}. */
    private static int byKey(String a, String b) {
        String pa = a.replaceAll("[0-9]+$", "");
        String pb = b.replaceAll("[0-9]+$", "");
        if (!pa.equals(pb)) {
            return pa.compareTo(pb);
        }
        return Integer.compare(Integer.parseInt(a.substring(pa.length())), Integer.parseInt(b.substring(pb.length())));
    }
}
