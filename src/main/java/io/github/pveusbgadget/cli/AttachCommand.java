package io.github.pveusbgadget.cli;

import io.github.pveusbgadget.config.Collisions;
import io.github.pveusbgadget.config.GadgetConfig;
import io.github.pveusbgadget.config.NewConfig;
import io.github.pveusbgadget.config.VmId;
import io.github.pveusbgadget.proxmox.QmSet;
import io.github.pveusbgadget.proxmox.VmWiring;
import io.github.pveusbgadget.wiring.DriveSetup;
import java.nio.file.Files;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code attach <vmid> --image P}: {@code init}, the hookscript shim into a snippets storage, and one {@code qm set}
 * for {@code --hookscript}, {@code --usbN} and the boot order.
 */
@Command(name = "attach", mixinStandardHelpOptions = true,
        description = {"Give VM <vmid> its drive: write <vmid>.conf (as init; an existing one is kept), install the "
                + "hookscript into a snippets storage, and qm set --hookscript, --usbN host=VID:PID,usb3=1 and a boot "
                + "order with usbN first.",
            "A different hookscript or an occupied usbN is only replaced with --force."})
final class AttachCommand extends BaseCommand {
    @Mixin
    VmAndDryRun args;

    @Option(names = "--image", paramLabel = "PATH",
            description = "Absolute path of the backing image file or block device (required unless <vmid>.conf "
                    + "exists).")
    String image;

    @Option(names = "--usb-slot", paramLabel = "N",
            description = "Use usbN (default: the one already passing the drive through, else the first free one).")
    Integer usbSlot;

    @Option(names = "--snippets", paramLabel = "STORAGE",
            description = "Storage with content 'snippets' for the hookscript (default: the one already used, else "
                    + "local, else the first active one).")
    String snippets;

    @Option(names = "--keep-hookscript",
            description = "Leave the VM's hookscript alone (it chains ours: see the message attach gives).")
    boolean keepHookscript;

    @Option(names = "--mapping", paramLabel = "ID", arity = "0..1", fallbackValue = "",
            description = "Pass the drive through a cluster USB resource mapping (created or updated with an entry "
                    + "for every node; default ID pve-usb-gadget-<vmid>) as usbN: mapping=ID: offline migration "
                    + "without --force, and usable by non-root users with Mapping.Use.")
    String mapping;

    @Option(names = "--vendor-id", paramLabel = "0xVVVV", description = "For a new config: as init.")
    String vendorId;

    @Option(names = "--product-id", paramLabel = "0xPPPP", description = "For a new config: as init.")
    String productId;

    @Option(names = "--serial", paramLabel = "SERIAL", description = "For a new config: as init.")
    String serial;

    @Option(names = "--force", description = "Replace a different hookscript or an occupied usbN, and write a new "
            + "config whose VID:PID, serial or image another config has (never an existing <vmid>.conf: use init "
            + "--force for that).")
    boolean force;

    @Override
    public Integer call() {
        VmId id = args.vmId();
        DriveSetup setup = services().driveSetup();
        DriveSetup.AttachPlan planned = setup.planAttach(new DriveSetup.AttachRequest(id, image,
                new NewConfig(image, vendorId, productId, serial), Optional.ofNullable(usbSlot),
                Optional.ofNullable(snippets), keepHookscript, force, Optional.ofNullable(mapping)));
        if (args.dryRun) {
            out().print(planned.plan().toShellScript("attach " + id));
            return 0;
        }
        setup.apply("attach", planned.plan());
        GadgetConfig config = planned.config().config();
        if (!planned.config().duplicates().isEmpty()) {
            out().println("warning: " + config.source() + " duplicates "
                    + Collisions.describe(planned.config().duplicates()));
        }
        if (planned.config().written()) {
            out().println("wrote " + config.source() + ": " + config.usbId() + " serial " + config.serial()
                    + ", unRAID GUID " + config.unraidGuid());
        } else {
            out().println("keeping " + config.source() + ": " + config.usbId() + " serial " + config.serial());
        }
        planned.hookPath().ifPresent(path -> out().println("installed hookscript " + planned.hookVolume().get()
                + " (" + path + ")"));
        planned.mappingCall().ifPresent(call -> out().println("ran " + call.describe()));
        VmWiring.Change change = planned.change();
        change.notes().forEach(note -> out().println("note: " + note));
        planned.clusterNotes().forEach(note -> out().println("note: " + note));
        if (change.isEmpty()) {
            out().println("VM " + id + " already has " + change.slot().orElse("its usbN") + " first in its boot order"
                    + (keepHookscript ? "" : " and the hookscript"));
        } else {
            out().println("ran " + new QmSet(id, change.options()).commandLine());
        }
        if (!Files.exists(config.image())) {
            out().println("note: image " + config.image() + " does not exist yet; create it before the VM starts");
        }
        return 0;
    }
}
