package io.github.pveusbgadget.cli;

import io.github.pveusbgadget.config.Collisions;
import io.github.pveusbgadget.config.GadgetConfig;
import io.github.pveusbgadget.config.NewConfig;
import io.github.pveusbgadget.config.VmId;
import io.github.pveusbgadget.wiring.DriveSetup;
import java.nio.file.Files;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code init <vmid> --image P}: writes a VM's config with a fresh identity. */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = "Write <config-dir>/<vmid>.conf with a fresh random serial and a VID:PID unique among every "
                + "config (cluster-wide on Proxmox) and the host's USB devices.")
final class InitCommand extends BaseCommand {
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

    @Option(names = "--force", description = "Replace an existing <vmid>.conf (its identity changes!), or take a "
            + "VID:PID, serial or image another config has (it says which).")
    boolean force;

    @Option(names = "--dry-run", description = "Change nothing; print the steps as a shell script.")
    boolean dryRun;

    @Override
    public Integer call() {
        VmId id = vmId(vmId);
        DriveSetup setup = services().driveSetup();
        DriveSetup.ConfigPlan planned = setup.planInit(id, new NewConfig(image, vendorId, productId, serial), force);
        if (dryRun) {
            out().print(planned.plan().toShellScript("init " + id));
            return 0;
        }
        setup.apply("init", planned.plan());
        GadgetConfig config = planned.config();
        if (!planned.duplicates().isEmpty()) {
            out().println("warning: " + config.source() + " duplicates " + Collisions.describe(planned.duplicates()));
        }
        out().println("wrote " + config.source() + ": " + config.usbId() + " serial " + config.serial()
                + ", unRAID GUID " + config.unraidGuid());
        if (!Files.exists(config.image())) {
            out().println("note: image " + config.image() + " does not exist yet; create it before the VM starts");
        }
        return 0;
    }
}
