package io.github.pveusbgadget.cli;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.config.ConfigParser;
import io.github.pveusbgadget.config.ConfigStore;
import io.github.pveusbgadget.config.GadgetConfig;
import io.github.pveusbgadget.config.VmId;
import java.nio.file.Files;
import java.util.Random;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code init <vmid> --image P}: writes a VM's config with a fresh identity. */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = "Write <config-dir>/<vmid>.conf with a fresh random serial and a VID:PID unique on this host.")
final class InitCommand extends BaseCommand {
    /** Product ids {@code init} hands out start here, clear of the Linux Foundation's own gadget and hub ids. */
    static final int FIRST_PRODUCT_ID = NewConfig.FIRST_PRODUCT_ID;

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
        return new NewConfig(services(), image, vendorId, productId, serial).render(id);
    }

    static String randomSerial(Random random) {
        return NewConfig.randomSerial(random);
    }
}
