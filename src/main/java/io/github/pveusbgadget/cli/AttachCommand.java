package io.github.pveusbgadget.cli;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.config.ConfigParser;
import io.github.pveusbgadget.config.ConfigStore;
import io.github.pveusbgadget.config.GadgetConfig;
import io.github.pveusbgadget.config.VmId;
import io.github.pveusbgadget.plan.Shell;
import io.github.pveusbgadget.proxmox.Pvesm;
import io.github.pveusbgadget.proxmox.Qm;
import io.github.pveusbgadget.proxmox.VmConfig;
import io.github.pveusbgadget.proxmox.VmWiring;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
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
    /** The shim, bundled in the jar from hookscripts/. */
    static final String HOOK_RESOURCE = "/io/github/pveusbgadget/hookscript/" + VmWiring.HOOK_NAME;

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

    @Option(names = "--vendor-id", paramLabel = "0xVVVV", description = "For a new config: as init.")
    String vendorId;

    @Option(names = "--product-id", paramLabel = "0xPPPP", description = "For a new config: as init.")
    String productId;

    @Option(names = "--serial", paramLabel = "SERIAL", description = "For a new config: as init.")
    String serial;

    @Option(names = "--force", description = "Replace a different hookscript or an occupied usbN "
            + "(never an existing <vmid>.conf: use init --force for that).")
    boolean force;

    @Override
    public Integer call() {
        VmId id = args.vmId();
        Services services = services();
        Qm qm = new Qm(services.environment().runner());
        qm.requireAvailable("attach", keepHookscript ? new String[] {"qm"} : new String[] {"qm", "pvesm"});
        ConfigStore store = services.store();

        // 1. The drive's config: an existing one is the VM's identity and is kept.
        String newContent = null;
        GadgetConfig config;
        if (store.exists(id)) {
            config = store.load(id);
            if (image != null && !services.environment().fileSystem().getPath(image).equals(config.image())) {
                throw ToolException.refused(store.fileOf(id) + " already uses image " + config.image()
                        + "; to change it, edit its 'image =' line (the drive's identity stays), then run attach "
                        + "without --image");
            }
        } else {
            if (image == null) {
                throw ToolException.badInput("--image is required: VM " + id + " has no " + store.fileOf(id)
                        + " yet");
            }
            newContent = new NewConfig(services, image, vendorId, productId, serial).render(id);
            config = new ConfigParser().parse(id, store.fileOf(id), newContent);
        }

        // 2. Where the hookscript goes, and 3. what qm set changes: all decided before anything is written.
        VmConfig vm = qm.config(id);
        Optional<String> hookVolume = Optional.empty();
        String hookPath = null;
        if (!keepHookscript) {
            Pvesm pvesm = new Pvesm(services.environment().runner());
            Optional<String> current = vm.hookscript().filter(VmWiring::isOurHook).flatMap(VmWiring::storageOf);
            String storage = Pvesm.choose(pvesm.snippetStorages(), Optional.ofNullable(snippets), current);
            hookVolume = Optional.of(VmWiring.hookVolume(storage));
            hookPath = pvesm.path(hookVolume.get());
        }
        VmWiring.Change change = VmWiring.planAttach(id, vm, new VmWiring.AttachRequest(config.usbId().toString(),
                Optional.ofNullable(usbSlot), hookVolume, force));
        String shim = shim();

        if (args.dryRun) {
            out().print(script(id, store, newContent, hookPath, shim, change));
            return 0;
        }
        if (newContent != null) {
            store.write(id, newContent);
            out().println("wrote " + store.fileOf(id) + ": " + config.usbId() + " serial " + config.serial()
                    + ", unRAID GUID " + config.unraidGuid());
        } else {
            out().println("keeping " + store.fileOf(id) + ": " + config.usbId() + " serial " + config.serial());
        }
        if (hookPath != null) {
            installShim(services.environment().fileSystem().getPath(hookPath), shim);
            out().println("installed hookscript " + hookVolume.get() + " (" + hookPath + ")");
        }
        change.notes().forEach(note -> out().println("note: " + note));
        if (change.isEmpty()) {
            out().println("VM " + id + " already has " + change.slot().orElse("its usbN") + " first in its boot order"
                    + (keepHookscript ? "" : " and the hookscript"));
        } else {
            qm.set(id, change.options());
            out().println("ran " + Shell.join(Qm.setCommand(id, change.options())));
        }
        if (!Files.exists(config.image())) {
            out().println("note: image " + config.image() + " does not exist yet; create it before the VM starts");
        }
        return 0;
    }

    static String shim() {
        try (InputStream in = AttachCommand.class.getResourceAsStream(HOOK_RESOURCE)) {
            if (in == null) {
                throw ToolException.failed("the hookscript is missing from the jar (" + HOOK_RESOURCE + ")", null);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw ToolException.failed("cannot read the hookscript from the jar: " + e.getMessage(), e);
        }
    }

    /** Writes the shim (atomically, mode 0755: Proxmox refuses a hookscript that is not executable). */
    private static void installShim(Path target, String shim) {
        try {
            if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && Files.isExecutable(target)
                    && Files.readString(target).equals(shim)) {
                return;
            }
            Files.createDirectories(target.getParent());
            Path temp = target.resolveSibling("." + target.getFileName() + ".tmp");
            Files.writeString(temp, shim, StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
            } catch (UnsupportedOperationException e) {
                // Not a POSIX file system: a snippets directory on Proxmox always is.
            }
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw ToolException.failed("cannot install the hookscript as " + target + ": " + e.getMessage(), e);
        }
    }

    private static String script(VmId id, ConfigStore store, String newContent, String hookPath, String shim,
                                 VmWiring.Change change) {
        List<String> lines = new ArrayList<>();
        lines.add("#!/bin/sh");
        lines.add("# pve-usb-gadget attach " + id + " (dry run): the steps it would take");
        change.notes().forEach(note -> lines.add("# " + note));
        lines.add("set -eu");
        if (newContent != null) {
            String file = Shell.quote(store.fileOf(id).toString());
            lines.add("mkdir -p " + Shell.quote(store.directory().toString()));
            lines.add("(umask 077 && cat > " + file + ") <<'EOF'");
            newContent.lines().forEach(lines::add);
            lines.add("EOF");
            lines.add("chmod 600 " + file);
        } else {
            lines.add("# keeping " + store.fileOf(id));
        }
        if (hookPath != null) {
            String path = Shell.quote(hookPath);
            lines.add("mkdir -p " + Shell.quote(Path.of(hookPath).getParent().toString()));
            lines.add("cat > " + path + " <<'PVE_USB_GADGET_HOOK_EOF'");
            shim.lines().forEach(lines::add);
            lines.add("PVE_USB_GADGET_HOOK_EOF");
            lines.add("chmod 755 " + path);
        }
        if (change.isEmpty()) {
            lines.add("# qm set: nothing to change");
        } else {
            lines.add(Shell.join(Qm.setCommand(id, change.options())));
        }
        return String.join("\n", lines) + "\n";
    }
}
