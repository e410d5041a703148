package io.github.pveusbgadget.cli;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.config.ConfigParser;
import io.github.pveusbgadget.config.ConfigStore;
import io.github.pveusbgadget.config.GadgetConfig;
import io.github.pveusbgadget.config.UsbId;
import io.github.pveusbgadget.config.VmId;
import io.github.pveusbgadget.gadget.ObservedGadget;
import io.github.pveusbgadget.kernel.HostUsbDevice;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code init <vmid> --image P}: writes a VM's config with a fresh identity. */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = "Write <config-dir>/<vmid>.conf with a fresh random serial and a VID:PID unique on this host.")
final class InitCommand extends BaseCommand {
    /** Product ids {@code init} hands out start here, clear of the Linux Foundation's own gadget and hub ids. */
    static final int FIRST_PRODUCT_ID = 0x4000;

    @Parameters(index = "0", paramLabel = "VMID")
    String vmId;

    @Option(names = "--image", required = true, paramLabel = "PATH",
            description = "Absolute path of the backing image file or block device.")
    String image;

    @Option(names = "--vendor-id", paramLabel = "0xVVVV", description = "USB vendor id (default: 0x1d6b).")
    String vendorId;

    @Option(names = "--product-id", paramLabel = "0xPPPP",
            description = "USB product id (default: the first one unused on this host from 0x4000).")
    String productId;

    @Option(names = "--serial", paramLabel = "SERIAL",
            description = "USB serial, [0-9A-Za-z]{1,126} (default: 16 random upper-case hex characters).")
    String serial;

    @Option(names = "--force", description = "Replace an existing <vmid>.conf (its identity changes!).")
    boolean force;

    @Option(names = "--dry-run", description = "Change nothing; print the steps as a shell script.")
    boolean dryRun;

    @Override
    public Integer call() {
        VmId id = vmId(vmId);
        ConfigStore store = services().store();
        if (store.exists(id) && !force) {
            throw ToolException.refused(store.fileOf(id) + " already exists; it holds the VM's drive identity "
                    + "(unRAID license): keep it, or replace it with --force");
        }
        String content = render(id);
        // The file must parse as every hook will parse it; parsing it now turns a bad option into exit 2.
        GadgetConfig config = new ConfigParser().parse(id, store.fileOf(id), content);
        if (dryRun) {
            out().print("#!/bin/sh\n# pve-usb-gadget init " + id + " (dry run): the steps it would take\nset -eu\n"
                    + "mkdir -p " + store.directory() + "\n"
                    + "umask 077\n"
                    + "cat > " + store.fileOf(id) + " <<'EOF'\n" + content + "EOF\n"
                    + "chmod 600 " + store.fileOf(id) + "\n");
            return 0;
        }
        store.write(id, content);
        out().println("wrote " + store.fileOf(id) + ": " + config.usbId() + " serial " + config.serial()
                + ", unRAID GUID " + config.unraidGuid());
        if (!Files.exists(config.image())) {
            out().println("note: image " + config.image() + " does not exist yet; create it before the VM starts");
        }
        return 0;
    }

    private String render(VmId id) {
        int vendor = vendorId == null ? GadgetConfig.DEFAULT_VENDOR_ID : parseId("--vendor-id", vendorId);
        int product = productId == null ? freeProductId(id, vendor) : parseId("--product-id", productId);
        String chosenSerial = serial == null ? randomSerial(services().environment().random()) : serial;
        UsbId usbId = new UsbId(vendor, product);
        return "# pve-usb-gadget configuration of VM " + id + ", written by 'pve-usb-gadget init'.\n"
                + "# vendor_id, product_id and serial are the drive's identity (unRAID licenses against\n"
                + "# " + GadgetConfig.unraidGuid(usbId, chosenSerial) + "): keep them stable. Keys: see PRODUCT.md.\n"
                + "image = " + image + "\n"
                + "vendor_id = " + usbId.vendorAttribute() + "\n"
                + "product_id = " + usbId.productAttribute() + "\n"
                + "serial = " + chosenSerial + "\n";
    }

    private static int parseId(String option, String value) {
        if (!value.matches("0[xX][0-9a-fA-F]{1,4}") || Integer.decode(value) == 0) {
            throw ToolException.badInput(option + " '" + value + "' is not a non-zero hex id like 0x1d6b");
        }
        return Integer.decode(value);
    }

    /** The first product id from {@link #FIRST_PRODUCT_ID} that no other config, gadget or host device uses. */
    private int freeProductId(VmId id, int vendor) {
        Services services = services();
        Set<String> used = new HashSet<>();
        for (VmId other : services.store().list()) {
            if (!other.equals(id)) {
                try {
                    used.add(services.store().load(other).usbId().toString());
                } catch (ToolException e) {
                    // An unreadable neighbour cannot claim an id; check reports it on its own.
                }
            }
        }
        for (ObservedGadget gadget : services.inspector().all()) {
            used.add(gadget.idVendor().replaceFirst("^0x", "") + ":" + gadget.idProduct().replaceFirst("^0x", ""));
        }
        services.usb().devices().stream().map(HostUsbDevice::usbId).forEach(used::add);
        for (int product = FIRST_PRODUCT_ID; product <= 0xffff; product++) {
            if (!used.contains(new UsbId(vendor, product).toString())) {
                return product;
            }
        }
        throw ToolException.refused("no free product id left for vendor " + new UsbId(vendor, 1).vendorAttribute());
    }

    static String randomSerial(Random random) {
        while (true) {
            byte[] bytes = new byte[8];
            random.nextBytes(bytes);
            String serial = HexFormat.of().formatHex(bytes).toUpperCase(Locale.ROOT);
            if (!serial.matches("0+")) {
                return serial;
            }
        }
    }
}
