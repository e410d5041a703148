package io.github.pveusbgadget.gadget;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.config.UsbId;
import io.github.pveusbgadget.host.BlockingCall;
import io.github.pveusbgadget.host.CommandResult;
import io.github.pveusbgadget.plan.Shell;
import io.github.pveusbgadget.plan.Step;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The kinds of {@link Step}. */
public final class Steps {
    private static final Logger LOG = LoggerFactory.getLogger(Steps.class);

    private Steps() {
    }

    /** {@code modprobe MODULE}. */
    public record LoadModule(String module) implements Step<StepContext> {
        @Override
        public String describe() {
            return "load kernel module " + module;
        }

        @Override
        public List<String> shell() {
            return List.of("modprobe " + Shell.quote(module));
        }

        @Override
        public void apply(StepContext context) {
            context.modules().load(module);
        }
    }

    /** Unloads gadget modules nobody needs any more; a module still in use just stays. */
    public record UnloadModules(List<String> modules) implements Step<StepContext> {
        @Override
        public String describe() {
            return "unload kernel modules " + String.join(" ", modules) + " (no gadget is left)";
        }

        @Override
        public List<String> shell() {
            return modules.stream().map(m -> "modprobe -r " + Shell.quote(m) + " || true").toList();
        }

        @Override
        public void apply(StepContext context) {
            for (String module : modules) {
                if (!context.modules().unload(module)) {
                    LOG.info("kept module {}: still in use", module);
                }
            }
        }
    }

    /** {@code mount -t configfs none DIR}. */
    public record MountConfigfs(Path mountPoint) implements Step<StepContext> {
        @Override
        public String describe() {
            return "mount configfs on " + mountPoint;
        }

        @Override
        public List<String> shell() {
            return List.of("mount -t configfs none " + Shell.quote(mountPoint));
        }

        @Override
        public void apply(StepContext context) {
            CommandResult result = context.runner().run(
                    List.of("mount", "-t", "configfs", "none", mountPoint.toString()), Duration.ofSeconds(30));
            if (!result.succeeded()) {
                throw ToolException.failed("cannot mount configfs on " + mountPoint + ": " + result.lastLine()
                        + "; the kernel needs CONFIG_CONFIGFS_FS (modprobe configfs)", null);
            }
        }
    }

    /** {@code mkdir DIR} in configfs. */
    public record MakeDir(Path dir) implements Step<StepContext> {
        @Override
        public String describe() {
            return "mkdir " + dir;
        }

        @Override
        public List<String> shell() {
            return List.of("mkdir " + Shell.quote(dir));
        }

        @Override
        public void apply(StepContext context) throws IOException {
            context.fs().mkdir(dir);
        }
    }

    /** Writes {@code VALUE} to an attribute in configfs; an empty value clears it (unbinds, ejects). */
    public record WriteAttribute(Path attribute, String value) implements Step<StepContext> {
        @Override
        public String describe() {
            return "echo " + (value.isEmpty() ? "''" : Shell.quote(value)) + " > " + attribute;
        }

        @Override
        public List<String> shell() {
            return List.of(Shell.writeLine(value, attribute));
        }

        @Override
        public void apply(StepContext context) throws IOException {
            context.fs().write(attribute, value);
        }
    }

    /** {@code ln -s TARGET LINK} in configfs. */
    public record Link(Path link, Path target) implements Step<StepContext> {
        @Override
        public String describe() {
            return "ln -s " + target + " " + link;
        }

        @Override
        public List<String> shell() {
            return List.of("ln -s " + Shell.quote(target) + " " + Shell.quote(link));
        }

        @Override
        public void apply(StepContext context) throws IOException {
            context.fs().symlink(link, target);
        }
    }

    /** {@code rm LINK} in configfs. */
    public record RemoveLink(Path link) implements Step<StepContext> {
        @Override
        public String describe() {
            return "rm " + link;
        }

        @Override
        public List<String> shell() {
            return List.of("rm " + Shell.quote(link));
        }

        @Override
        public void apply(StepContext context) throws IOException {
            context.fs().unlink(link);
        }
    }

    /** {@code rmdir DIR} in configfs. */
    public record RemoveDir(Path dir) implements Step<StepContext> {
        @Override
        public String describe() {
            return "rmdir " + dir;
        }

        @Override
        public List<String> shell() {
            return List.of("rmdir " + Shell.quote(dir));
        }

        @Override
        public void apply(StepContext context) throws IOException {
            context.fs().rmdir(dir);
        }
    }

    private static List<String> waitFunction(Path sysfs) {
        return List.of(
            "# usb_present VID PID SERIAL HCD: is that device enumerated on the bus of dummy_hcd.N?",
            "usb_present() {",
            "  for d in " + Shell.quote(sysfs.resolve("bus").resolve("usb").resolve("devices")) + "/*; do",
            "    [ \"$(cat \"$d/idVendor\" 2>/dev/null)\" = \"$1\" ] || continue",
            "    [ \"$(cat \"$d/idProduct\" 2>/dev/null)\" = \"$2\" ] || continue",
            "    [ \"$(cat \"$d/serial\" 2>/dev/null)\" = \"$3\" ] || continue",
            "    case \"$(readlink -f \"$d\")\" in */\"$4\"/*) return 0 ;; esac",
            "  done",
            "  return 1",
            "}");
    }

    private static List<String> waitLoop(String condition, Duration timeout, String failure) {
        // POSIX sleep takes whole seconds: the script polls once a second (the apply polls faster).
        long seconds = Math.max(1, (timeout.toMillis() + 999) / 1000);
        List<String> lines = new ArrayList<>();
        lines.add("i=0; while " + condition + "; do");
        lines.add("  i=$((i+1)); if [ \"$i\" -gt " + seconds + " ]; then printf '%s\\n' " + Shell.quote(failure)
                + " >&2; exit 1; fi; sleep 1");
        lines.add("done");
        return lines;
    }

    private static String identity(UsbId usbId, String serial) {
        return usbId + " serial " + serial;
    }

    /** Waits until the host has enumerated the gadget on the UDC's emulated bus. */
    public record AwaitHostDevice(UsbId usbId, String serial, String controller, Duration timeout,
                                  Path configFile, Path sysfs) implements Step<StepContext> {
        @Override
        public String describe() {
            return "wait up to " + timeout.toSeconds() + " s for the host to enumerate " + identity(usbId, serial)
                    + " on " + controller;
        }

        @Override
        public List<String> shell() {
            return waitLoop("! usb_present " + usbId.vendorHex() + " " + usbId.productHex() + " "
                    + Shell.quote(serial) + " " + controller, timeout, "the host did not enumerate " + usbId);
        }

        @Override
        public List<String> shellPrelude() {
            return waitFunction(sysfs);
        }

        @Override
        public void apply(StepContext context) {
            long start = context.poller().nanoTime();
            boolean seen = context.poller().await(
                    () -> context.usb().find(usbId, serial, controller).isPresent(), timeout);
            if (!seen) {
                throw ToolException.failed("the host did not enumerate " + identity(usbId, serial) + " on "
                        + controller + " within " + timeout.toSeconds() + " s; see 'dmesg' for USB errors, or raise "
                        + "enumerate_timeout in " + configFile, null);
            }
            LOG.info("host enumerated {} in {} ms", usbId, (context.poller().nanoTime() - start) / 1_000_000);
        }
    }

    /** After unbinding: waits until the host has let go of the device, so nobody still writes through it. */
    public record AwaitHostDeviceGone(UsbId usbId, String serial, String controller, Duration timeout,
                                      Path sysfs, List<Path> luns) implements Step<StepContext> {
        @Override
        public String describe() {
            return "wait up to " + timeout.toSeconds() + " s for the host to drop " + identity(usbId, serial);
        }

        @Override
        public List<String> shell() {
            return waitLoop("usb_present " + usbId.vendorHex() + " " + usbId.productHex() + " "
                    + Shell.quote(serial) + " " + controller, timeout, "the host still has " + usbId);
        }

        @Override
        public List<String> shellPrelude() {
            return waitFunction(sysfs);
        }

        @Override
        public void apply(StepContext context) {
            boolean gone = context.poller().await(
                    () -> context.usb().find(usbId, serial, controller).isEmpty(), timeout);
            if (!gone) {
                forceEject(context, luns, "the host still lists " + identity(usbId, serial) + " after "
                        + timeout.toSeconds() + " s");
            }
        }
    }

    /**
     * Unbinds the gadget from its UDC. The kernel can block this while the host still holds the medium; after
     * {@code timeout} the LUNs are force-ejected (which releases the host) and the unbind is given the same time
     * again, so {@code down} never hangs.
     */
    public record Unbind(Path gadget, List<Path> luns, Duration timeout) implements Step<StepContext> {
        @Override
        public String describe() {
            return "echo '' > " + gadget.resolve("UDC") + " (unbind)";
        }

        @Override
        public List<String> shell() {
            return List.of(Shell.writeLine("", gadget.resolve("UDC")));
        }

        @Override
        public void apply(StepContext context) throws IOException {
            Path udc = gadget.resolve("UDC");
            if (BlockingCall.run("unbind", timeout, () -> context.fs().write(udc, ""))) {
                return;
            }
            forceEject(context, luns, "unbinding did not finish within " + timeout.toSeconds() + " s");
            if (!BlockingCall.run("unbind", timeout, () -> context.fs().write(udc, ""))) {
                throw new IOException("unbinding is stuck in the kernel even after a forced eject (see dmesg); "
                        + "the gadget stays until it finishes");
            }
        }
    }

    /** Writes {@code 1} to each LUN's {@code forced_eject}: closes the backing file even if the host objects. */
    static void forceEject(StepContext context, List<Path> luns, String why) {
        for (Path lun : luns) {
            Path attribute = lun.resolve("forced_eject");
            try {
                if (BlockingCall.run("forced_eject", Duration.ofSeconds(10), () -> context.fs().write(attribute, "1"))) {
                    LOG.warn("warning: {}: forced eject of {}", why, lun);
                } else {
                    LOG.warn("warning: {}: forced eject of {} did not finish either", why, lun);
                }
            } catch (IOException e) {
                LOG.warn("warning: {}: forced eject of {} failed: {}", why, lun, e.getMessage());
            }
        }
    }

    /**
     * Flushes the host's page cache of a block device it made of the gadget, before unbinding takes the device away
     * (on Proxmox the VM owns the device and this finds nothing to do; a host-side writer would otherwise lose data).
     */
    public record FlushHostBlockDevice(Path device, Duration timeout) implements Step<StepContext> {
        @Override
        public String describe() {
            return "flush the host's cache of " + device;
        }

        @Override
        public List<String> shell() {
            return List.of("sync # " + describe() + " (POSIX sync flushes every file system)");
        }

        @Override
        public void apply(StepContext context) throws IOException {
            if (!Files.exists(device)) {
                return;
            }
            boolean done = BlockingCall.run("flush", timeout, () -> {
                try (FileChannel channel = FileChannel.open(device, StandardOpenOption.READ)) {
                    channel.force(true);
                }
            });
            if (!done) {
                LOG.warn("warning: flushing {} did not finish within {} s; going on", device, timeout.toSeconds());
            }
        }
    }

    /** fsync of the backing image, so what the VM wrote is on stable storage when {@code down} returns. */
    public record FlushImage(Path image) implements Step<StepContext> {
        @Override
        public String describe() {
            return "flush " + image + " to stable storage";
        }

        @Override
        public List<String> shell() {
            return List.of("sync # " + describe());
        }

        @Override
        public void apply(StepContext context) throws IOException {
            try (FileChannel channel = FileChannel.open(image, StandardOpenOption.READ)) {
                channel.force(true);
            }
        }
    }
}
