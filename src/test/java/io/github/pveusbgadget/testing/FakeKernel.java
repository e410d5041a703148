package io.github.pveusbgadget.testing;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import io.github.pveusbgadget.cli.Environment;
import io.github.pveusbgadget.gadget.GadgetFs;
import io.github.pveusbgadget.host.CommandResult;
import io.github.pveusbgadget.host.CommandRunner;
import io.github.pveusbgadget.host.Ticker;
import io.github.pveusbgadget.plan.FaultInjector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.commons.io.file.PathUtils;

/**
 * The one test fake of the kernel: an in-memory file system (jimfs) laid out like a host's {@code /sys}, {@code /proc}
 * and configfs, with configfs's behaviour where it matters to us. mkdir makes the attribute files and default groups
 * the kernel makes; rmdir removes a directory holding only those; {@code ro}/{@code cdrom} refuse changes while a
 * LUN's file is open; a function linked into a configuration cannot be removed; writing {@code UDC} binds (and the
 * emulated host enumerates the device) or unbinds. {@code modprobe}, {@code modinfo} and {@code mount} act on it.
 */
public final class FakeKernel implements GadgetFs, CommandRunner, Ticker {
    public static final String CONFIGFS = "/sys/kernel/config";
    public static final String CONFIG_DIR = "/etc/pve-usb-gadget";

    private final FileSystem fs;
    private final Set<Path> kernelMade = new HashSet<>();
    private final Random random = new Random(42);
    private final List<String> commands = new ArrayList<>();
    private final List<String> configfsOps = new ArrayList<>();
    private final String root;
    private long nanos;
    private FaultInjector faults = FaultInjector.NONE;
    private final Map<String, String> variables = new HashMap<>();
    private boolean console;
    private int udcCount = 4;
    private boolean hostEnumerates = true;
    private Predicate<String> failingOp = op -> false;
    private int nextBus = 1;
    private final java.util.Set<String> missingModules = new java.util.HashSet<>();

    public FakeKernel() {
        this("");
    }

    /**
     * A host whose {@code /} is at {@code root} in the in-memory file system (commands then need the global options
     * that say so, e.g. {@code --configfs ROOT/sys/kernel/config}): for tests that replay a dry-run script on a real
     * scratch directory of that name.
     */
    public FakeKernel(String root) {
        this(Jimfs.newFileSystem(Configuration.unix().toBuilder()
                .setAttributeViews("basic", "owner", "posix", "unix")
                .setDefaultAttributeValue("owner:owner", "root").build()), root);
    }

    /**
     * Another host at {@code root} in {@code other}'s file system: a second node of a simulated cluster, whose
     * cluster file system both see (see {@link #pmxcfsAt}).
     */
    public FakeKernel(FakeKernel other, String root) {
        this(other.fs, root);
    }

    private FakeKernel(FileSystem fs, String root) {
        this.root = root;
        this.fs = fs;
        try {
            for (String dir : List.of("/sys/module", "/sys/class/udc", "/sys/bus/usb/devices", "/sys/block",
                    "/sys/class/block", "/sys/devices/platform", "/dev", CONFIGFS, "/proc/self", "/run/lock", CONFIG_DIR,
                    "/images")) {
                Files.createDirectories(at(dir));
            }
            Files.writeString(at("/proc/self/mountinfo"),
                    "22 1 0:21 / / rw,relatime - ext4 /dev/vda1 rw\n"
                            + "23 22 0:22 / /sys rw,nosuid - sysfs sysfs rw\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- set-up helpers -------------------------------------------------------------------------------------

    public FileSystem fileSystem() {
        return fs;
    }

    public Path path(String first) {
        return fs.getPath(first);
    }

    /** A path of the fake host's own layout: {@code name} below its root. */
    private Path at(String name) {
        return fs.getPath(root + name);
    }

    /** Where the fake host's {@code /} is ({@code ""}: at the file system's root). */
    public String rootDir() {
        return root;
    }

    /** The directories and attribute files configfs made by itself (not by a mkdir, write or link of ours). */
    public Set<Path> kernelMade() {
        return Set.copyOf(kernelMade);
    }

    public Environment environment() {
        return new Environment(fs, this, this, this, () -> random, faults,
                Clock.fixed(Instant.parse("2026-11-21T12:00:00Z").plusSeconds(nanos / 1_000_000_000L),
                        ZoneOffset.UTC), Map.copyOf(variables), "root", at("/root"), at("/tmp"), console);
    }

    /** A module this kernel does not have: modprobe and modinfo do not find it (dummy_hcd on a Proxmox kernel). */
    public FakeKernel withoutModule(String module, String release) {
        missingModules.add(module);
        try {
            Files.createDirectories(path("/proc/sys/kernel"));
            Files.writeString(path("/proc/sys/kernel/osrelease"), release + "\n");
            Files.createDirectories(path("/lib/modules/" + release + "/kernel"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** The module is there again (its DKMS build was installed). */
    public FakeKernel withModule(String module) {
        missingModules.remove(module);
        return this;
    }

    /** How many UDCs {@code modprobe dummy_hcd} creates (its {@code num}). */
    public FakeKernel udcs(int count) {
        this.udcCount = count;
        return this;
    }

    /** Whether the emulated host enumerates a bound gadget (false: enumeration times out). */
    public FakeKernel hostEnumerates(boolean enumerates) {
        this.hostEnumerates = enumerates;
        return this;
    }

    /** Makes configfs operations matching {@code op} (e.g. {@code "mkdir .../functions/mass_storage.0"}) fail. */
    public FakeKernel failWhen(Predicate<String> op) {
        this.failingOp = op;
        return this;
    }

    /** Whether the commands run as if a person watched on a terminal ({@link Environment#console()}). */
    public FakeKernel console(boolean watched) {
        console = watched;
        return this;
    }

    /** Sets an environment variable of the commands' process ({@code PVE_MIGRATED_FROM}, ...). */
    public FakeKernel variable(String name, String value) {
        variables.put(name, value);
        return this;
    }

    /** The fault-injection seam the commands run with. */
    public FakeKernel faults(FaultInjector injector) {
        this.faults = injector;
        return this;
    }

    /** VM 100 with a 4 KiB image and the smallest config: what the command-line tests start from. */
    public void vm100() {
        image("100.img", 4096);
        config(100, "image = /images/100.img\nproduct_id = 0x4000\nserial = abc\n");
    }

    public Path image(String name, int size) {
        Path image = at("/images/" + name);
        try {
            Files.write(image, new byte[size]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return image;
    }

    /** Writes {@code <vmid>.conf} owned by root with mode 0600, as a careful administrator would. */
    public Path config(long vmId, String content) {
        Path file = at(CONFIG_DIR + "/" + vmId + ".conf");
        try {
            Files.writeString(file, content);
            Files.setOwner(file, root());
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /**
     * Mounts a fake pmxcfs on {@code /etc/pve}, as {@code /proc/self/mountinfo} shows Proxmox's: a FUSE mount whose
     * source is {@code /dev/fuse}.
     */
    /**
     * pmxcfs mounted at {@code pve} (outside this host's root: shared by every node in the file system) and this
     * host's name {@code node}, as a node of a simulated cluster sees them; commands need {@code --pmxcfs pve}.
     */
    public FakeKernel pmxcfsAt(String pve, String node) {
        try {
            Files.createDirectories(fs.getPath(pve).resolve("nodes").resolve(node).resolve("qemu-server"));
            Files.createDirectories(at("/proc/sys/kernel"));
            Files.writeString(at("/proc/sys/kernel/hostname"), node + "\n");
            Files.writeString(at("/proc/self/mountinfo"), "34 22 0:30 / " + pve + " rw,nosuid,nodev,relatime - fuse "
                    + "/dev/fuse rw,user_id=0,group_id=0,default_permissions,allow_other\n", StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public FakeKernel pmxcfs() {
        try {
            Files.createDirectories(at("/etc/pve"));
            Files.writeString(at("/proc/self/mountinfo"), "34 22 0:30 / /etc/pve rw,nosuid,nodev,relatime - fuse "
                    + "/dev/fuse rw,user_id=0,group_id=0,default_permissions,allow_other\n", StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public UserPrincipal root() throws IOException {
        return fs.getUserPrincipalLookupService().lookupPrincipalByName("root");
    }

    /** A loop device of the host backed by {@code file}. */
    public void attachLoop(String loop, Path file) throws IOException {
        Path dir = at("/sys/block/" + loop + "/loop");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("backing_file"), file + "\n");
    }

    /** A physical USB device of the host (not on a dummy_hcd bus). */
    public void physicalUsbDevice(String name, String vendorHex, String productHex) throws IOException {
        Path dir = at("/sys/devices/pci0000:00/0000:00:14.0/usb9/" + name);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("idVendor"), vendorHex + "\n");
        Files.writeString(dir.resolve("idProduct"), productHex + "\n");
        Files.createSymbolicLink(at("/sys/bus/usb/devices/" + name), dir);
    }

    // ---- observations ---------------------------------------------------------------------------------------

    /** Every command run through the {@link CommandRunner} side, e.g. {@code "modprobe dummy_hcd"}. */
    public List<String> commands() {
        return commands;
    }

    /** Every configfs operation, e.g. {@code "write .../UDC dummy_udc.0"}. */
    public List<String> configfsOps() {
        return configfsOps;
    }

    public boolean moduleLoaded(String module) {
        return Files.isDirectory(at("/sys/module/" + module));
    }

    public String read(String file) throws IOException {
        return Files.readString(path(file)).strip();
    }

    /** Every path below {@code dir} with the target of links and the content of files: a snapshot to compare. */
    public List<String> snapshot(String dir) throws IOException {
        Path root = path(dir);
        if (!Files.exists(root)) {
            return List.of();
        }
        try (Stream<Path> paths = Files.walk(root)) {
            return paths.sorted().map(p -> {
                try {
                    if (Files.isSymbolicLink(p)) {
                        return p + " -> " + Files.readSymbolicLink(p);
                    }
                    return Files.isDirectory(p) ? p + "/" : p + " = " + Files.readString(p).strip();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
        }
    }

    // ---- GadgetFs: configfs behaviour -----------------------------------------------------------------------

    private void op(String op) throws IOException {
        configfsOps.add(op);
        if (failingOp.test(op)) {
            throw new FileSystemException(op, null, "Injected failure");
        }
    }

    @Override
    public void mkdir(Path dir) throws IOException {
        op("mkdir " + dir);
        Files.createDirectory(dir);
        Path gadgets = at(CONFIGFS + "/usb_gadget");
        Path parent = dir.getParent();
        String name = dir.getFileName().toString();
        if (parent.equals(gadgets)) {
            for (String attr : List.of("UDC", "idVendor", "idProduct", "bcdDevice", "bcdUSB", "bDeviceClass",
                    "max_speed")) {
                kernelFile(dir.resolve(attr), attr.equals("UDC") ? "" : attr.equals("max_speed") ? "UNKNOWN" : "0x0000");
            }
            for (String group : List.of("configs", "functions", "strings", "os_desc")) {
                kernelDir(dir.resolve(group));
            }
        } else if (isGroup(parent, "strings") && parent.getParent().getParent().equals(gadgets)) {
            for (String attr : List.of("serialnumber", "manufacturer", "product")) {
                kernelFile(dir.resolve(attr), "");
            }
        } else if (isGroup(parent, "configs")) {
            kernelFile(dir.resolve("MaxPower"), "2");
            kernelFile(dir.resolve("bmAttributes"), "0x80");
            kernelDir(dir.resolve("strings"));
        } else if (isGroup(parent, "strings") && isGroup(parent.getParent().getParent(), "configs")) {
            kernelFile(dir.resolve("configuration"), "");
        } else if (isGroup(parent, "functions") && name.startsWith("mass_storage.")) {
            kernelFile(dir.resolve("stall"), "1");
            Path lun = dir.resolve("lun.0");
            kernelDir(lun);
            for (String attr : List.of("file", "ro", "cdrom", "removable", "nofua", "inquiry_string",
                    "forced_eject")) {
                kernelFile(lun.resolve(attr), attr.equals("removable") ? "0" : attr.equals("file")
                        || attr.equals("inquiry_string") || attr.equals("forced_eject") ? "" : "0");
            }
        } else {
            Files.delete(dir);
            throw new FileSystemException(dir.toString(), null, "Operation not permitted");
        }
    }

    private static boolean isGroup(Path dir, String name) {
        return dir != null && dir.getFileName() != null && dir.getFileName().toString().equals(name);
    }

    private void kernelFile(Path file, String content) throws IOException {
        Files.writeString(file, content.isEmpty() ? "\n" : content + "\n");
        kernelMade.add(file);
    }

    private void kernelDir(Path dir) throws IOException {
        Files.createDirectory(dir);
        kernelMade.add(dir);
    }

    @Override
    public void write(Path attribute, String value) throws IOException {
        op("write " + attribute + " " + value);
        if (!Files.isRegularFile(attribute, LinkOption.NOFOLLOW_LINKS)) {
            throw new NoSuchFileException(attribute.toString());
        }
        String name = attribute.getFileName().toString();
        Path dir = attribute.getParent();
        switch (name) {
            case "ro", "cdrom" -> {
                if (!Files.readString(dir.resolve("file")).isBlank()) {
                    throw new FileSystemException(attribute.toString(), null, "Device or resource busy");
                }
            }
            case "file" -> {
                if (!value.isEmpty() && !Files.exists(fs.getPath(value))) {
                    throw new FileSystemException(attribute.toString(), null, "No such file or directory");
                }
            }
            case "idVendor", "idProduct", "bcdDevice", "bcdUSB" -> {
                if (!value.matches("0x[0-9a-fA-F]{1,4}")) {
                    throw new FileSystemException(attribute.toString(), null, "Invalid argument");
                }
            }
            case "inquiry_string" -> value = value.length() > 28 ? value.substring(0, 28) : value;
            case "UDC" -> bindOrUnbind(dir, value);
            default -> {
            }
        }
        Files.writeString(attribute, value + "\n");
    }

    private void bindOrUnbind(Path gadget, String udc) throws IOException {
        String current = Files.readString(gadget.resolve("UDC")).strip();
        if (udc.isEmpty()) {
            if (!current.isEmpty()) {
                removeHostDevice(current);
            }
            return;
        }
        if (!current.isEmpty()) {
            throw new FileSystemException(gadget + "/UDC", null, "Device or resource busy");
        }
        if (!Files.isDirectory(at("/sys/class/udc/" + udc))) {
            throw new FileSystemException(gadget + "/UDC", null, "No such device");
        }
        try (Stream<Path> gadgets = Files.list(at(CONFIGFS + "/usb_gadget"))) {
            for (Path other : gadgets.toList()) {
                if (Files.readString(other.resolve("UDC")).strip().equals(udc)) {
                    throw new FileSystemException(gadget + "/UDC", null, "Device or resource busy");
                }
            }
        }
        boolean linked;
        try (Stream<Path> configs = Files.list(gadget.resolve("configs"))) {
            linked = configs.anyMatch(c -> {
                try (Stream<Path> entries = Files.list(c)) {
                    return entries.anyMatch(Files::isSymbolicLink);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        if (!linked) {
            throw new FileSystemException(gadget + "/UDC", null, "Invalid argument");
        }
        if (hostEnumerates) {
            addHostDevice(udc, gadget);
        }
    }

    private void addHostDevice(String udc, Path gadget) throws IOException {
        String index = udc.substring(udc.indexOf('.') + 1);
        int bus = nextBus++;
        Path device = at("/sys/devices/platform/dummy_hcd." + index + "/usb" + bus + "/" + bus + "-1");
        Files.createDirectories(device);
        Files.writeString(device.resolve("idVendor"), hex4(Files.readString(gadget.resolve("idVendor"))) + "\n");
        Files.writeString(device.resolve("idProduct"), hex4(Files.readString(gadget.resolve("idProduct"))) + "\n");
        Files.writeString(device.resolve("serial"), Files.readString(gadget.resolve("strings/0x409/serialnumber")));
        Files.createDirectories(device.resolve(bus + "-1:1.0/host0/target0:0:0/0:0:0:0/block/sd" + (char) ('a' + bus)));
        Files.createSymbolicLink(at("/sys/bus/usb/devices/" + bus + "-1"), device);
    }

    private void removeHostDevice(String udc) throws IOException {
        String index = udc.substring(udc.indexOf('.') + 1);
        try (Stream<Path> links = Files.list(at("/sys/bus/usb/devices"))) {
            for (Path link : links.toList()) {
                if (Files.readSymbolicLink(link).toString().contains("/dummy_hcd." + index + "/")) {
                    deleteTree(Files.readSymbolicLink(link));
                    Files.delete(link);
                }
            }
        }
    }

    private static String hex4(String attribute) {
        return String.format("%04x", Integer.decode(attribute.strip()));
    }

    @Override
    public void symlink(Path link, Path target) throws IOException {
        op("symlink " + link + " -> " + target);
        if (!isGroup(target.getParent(), "functions") || !isGroup(link.getParent().getParent(), "configs")) {
            throw new FileSystemException(link.toString(), null, "Operation not permitted");
        }
        Files.createSymbolicLink(link, target);
    }

    @Override
    public void unlink(Path link) throws IOException {
        op("unlink " + link);
        if (!Files.isSymbolicLink(link)) {
            throw new FileSystemException(link.toString(), null, "Operation not permitted");
        }
        Files.delete(link);
    }

    @Override
    public void rmdir(Path dir) throws IOException {
        op("rmdir " + dir);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) || kernelMade.contains(dir)) {
            throw new FileSystemException(dir.toString(), null, "Operation not permitted");
        }
        List<Path> inside;
        try (Stream<Path> paths = Files.walk(dir)) {
            inside = paths.filter(p -> !p.equals(dir)).toList();
        }
        for (Path p : inside) {
            if (!kernelMade.contains(p)) {
                throw new DirectoryNotEmptyException(dir.toString());
            }
        }
        if (isGroup(dir.getParent(), "functions") && isLinkTarget(dir)) {
            throw new FileSystemException(dir.toString(), null, "Device or resource busy");
        }
        String udc = Files.exists(dir.resolve("UDC")) ? Files.readString(dir.resolve("UDC")).strip() : "";
        if (!udc.isEmpty()) {
            removeHostDevice(udc);
        }
        deleteTree(dir);
        kernelMade.removeIf(p -> p.startsWith(dir));
    }

    private boolean isLinkTarget(Path function) throws IOException {
        Path configs = function.getParent().getParent().resolve("configs");
        try (Stream<Path> paths = Files.walk(configs)) {
            return paths.filter(Files::isSymbolicLink).anyMatch(link -> {
                try {
                    return Files.readSymbolicLink(link).equals(function);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        PathUtils.deleteDirectory(dir);
    }

    // ---- CommandRunner: modprobe, modinfo, mount ------------------------------------------------------------

    private static final Map<String, String> MODULE_DIRS = Map.of("usb-storage", "usb_storage");

    @Override
    public CommandResult run(List<String> command, Duration timeout) {
        String line = String.join(" ", command);
        commands.add(line);
        try {
            String named = command.get(command.size() - 1);
            if ((command.get(0).equals("modprobe") || command.get(0).equals("modinfo"))
                    && missingModules.contains(named)) {
                return new CommandResult(1, command.get(0) + ": FATAL: Module " + named + " not found in directory "
                        + "/lib/modules/" + read("/proc/sys/kernel/osrelease") + "\n", false);
            }
            if (command.get(0).equals("modprobe") && command.size() == 2) {
                return load(command.get(1));
            }
            if (command.get(0).equals("modprobe") && command.get(1).equals("-r")) {
                return unload(command.get(2));
            }
            if (command.get(0).equals("modinfo")) {
                return new CommandResult(0, "/lib/modules/x/" + command.get(command.size() - 1) + ".ko\n", false);
            }
            if (command.get(0).equals("mount") && command.contains("configfs")) {
                Files.createDirectories(at(CONFIGFS + "/usb_gadget"));
                Files.writeString(at("/proc/self/mountinfo"),
                        "40 23 0:35 / " + command.get(command.size() - 1) + " rw - configfs configfs rw\n",
                        java.nio.file.StandardOpenOption.APPEND);
                return new CommandResult(0, "", false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new CommandResult(127, command.get(0) + ": not found in the fake", false);
    }

    private CommandResult load(String module) throws IOException {
        Path dir = at("/sys/module/" + MODULE_DIRS.getOrDefault(module, module));
        if (Files.isDirectory(dir)) {
            return new CommandResult(0, "", false);
        }
        Files.createDirectories(dir);
        if (module.equals("dummy_hcd")) {
            for (int i = 0; i < udcCount; i++) {
                Path udc = at("/sys/class/udc/dummy_udc." + i);
                Files.createDirectories(udc);
                Files.writeString(udc.resolve("maximum_speed"), "super-speed\n");
                Files.createDirectories(at("/sys/devices/platform/dummy_hcd." + i));
            }
        }
        return new CommandResult(0, "", false);
    }

    private CommandResult unload(String module) throws IOException {
        Path dir = at("/sys/module/" + module);
        if (!Files.isDirectory(dir)) {
            return new CommandResult(0, "", false);
        }
        Path gadgets = at(CONFIGFS + "/usb_gadget");
        if (Files.isDirectory(gadgets)) {
            try (Stream<Path> list = Files.list(gadgets)) {
                if (list.findAny().isPresent()) {
                    return new CommandResult(1, "modprobe: FATAL: Module " + module + " is in use.", false);
                }
            }
        }
        Files.delete(dir);
        if (module.equals("dummy_hcd")) {
            for (int i = 0; i < udcCount; i++) {
                deleteTree(at("/sys/class/udc/dummy_udc." + i));
            }
        }
        return new CommandResult(0, "", false);
    }

    @Override
    public boolean isAvailable(String program) {
        return false;
    }

    // ---- Ticker: time passes only when the code sleeps ------------------------------------------------------

    @Override
    public long nanoTime() {
        return nanos;
    }

    @Override
    public void sleep(Duration duration) {
        nanos += duration.toNanos();
    }
}
