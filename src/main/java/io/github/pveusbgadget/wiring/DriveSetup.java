package io.github.pveusbgadget.wiring;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.config.Collisions;
import io.github.pveusbgadget.config.ConfigParser;
import io.github.pveusbgadget.config.ConfigStore;
import io.github.pveusbgadget.config.GadgetConfig;
import io.github.pveusbgadget.config.NewConfig;
import io.github.pveusbgadget.config.UsbId;
import io.github.pveusbgadget.config.VmId;
import io.github.pveusbgadget.config.WriteConfig;
import io.github.pveusbgadget.gadget.HostSnapshot;
import io.github.pveusbgadget.host.CommandRunner;
import io.github.pveusbgadget.plan.Plan;
import io.github.pveusbgadget.plan.PlanExecutor;
import io.github.pveusbgadget.proxmox.Cluster;
import io.github.pveusbgadget.proxmox.InstallShim;
import io.github.pveusbgadget.proxmox.NodeCoverage;
import io.github.pveusbgadget.proxmox.Pvesh;
import io.github.pveusbgadget.proxmox.PveshCall;
import io.github.pveusbgadget.proxmox.Pvesm;
import io.github.pveusbgadget.proxmox.Qm;
import io.github.pveusbgadget.proxmox.QmSet;
import io.github.pveusbgadget.proxmox.UsbMapping;
import io.github.pveusbgadget.proxmox.VmConfig;
import io.github.pveusbgadget.proxmox.VmWiring;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code init}, {@code attach} and {@code detach}: the rules of giving a VM its drive, each planned in full before
 * anything is written ({@link Plan}: printed by {@code --dry-run}, run by {@link #apply}).
 */
public final class DriveSetup {
    private final ConfigStore store;
    private final CommandRunner runner;
    private final FileSystem fileSystem;
    private final Supplier<HostSnapshot> host;
    private final Supplier<Random> random;
    private final Cluster cluster;

    /** @param cluster the nodes that may run a VM, where the host is a Proxmox VE node */
    public DriveSetup(ConfigStore store, CommandRunner runner, FileSystem fileSystem, Supplier<HostSnapshot> host,
                      Supplier<Random> random, Cluster cluster) {
        this.store = store;
        this.runner = runner;
        this.fileSystem = fileSystem;
        this.host = host;
        this.random = random;
        this.cluster = cluster;
    }

    /**
     * The plan of {@code init}, or of the config part of {@code attach}.
     *
     * @param config  the config as every hook will parse it
     * @param written whether the plan writes it (false: {@code attach} keeps the existing one)
     */
    public record ConfigPlan(Plan<CommandRunner> plan, GadgetConfig config, boolean written,
                             List<Collisions.Collision> duplicates) {
    }

    /**
     * {@code init}: a fresh {@code <vmid>.conf}; an existing one is replaced, and a VID:PID, serial or image another
     * config has is taken, only with {@code force}.
     */
    public ConfigPlan planInit(VmId id, NewConfig wanted, boolean force) {
        refuseUnusable(wanted);
        if (store.exists(id) && !force) {
            throw ToolException.refused(store.fileOf(id) + " already exists; it holds the VM's drive identity "
                    + "(unRAID license): keep it, or replace it with --force");
        }
        return fresh(id, wanted, force);
    }

    /**
     * An {@code --image} that is a directory can never back a gadget ({@code check} and {@code up} refuse it); one
     * that does not exist yet is fine (the image may be created after the config).
     */
    private void refuseUnusable(NewConfig wanted) {
        String image = wanted.validated(fileSystem).image();
        if (image != null && Files.isDirectory(fileSystem.getPath(image))) {
            throw ToolException.badInput("--image " + image + " is a directory; give an image file or block device "
                    + "(create one with 'pve-usb-gadget image create')");
        }
    }

    /**
     * A new config whose chosen VID:PID and serial no other config (on every node: the directory is cluster-wide on
     * Proxmox), gadget or host USB device has; what was given explicitly and collides is refused unless
     * {@code force}. Its write checks again under the identity lock.
     */
    private ConfigPlan fresh(VmId id, NewConfig wanted, boolean force) {
        refuseUnusable(wanted);
        List<GadgetConfig> others = store.loadOthers(id);
        Set<UsbId> usedIds = new HashSet<>(host.get().usbIdsInUse());
        Set<String> usedSerials = new HashSet<>();
        for (GadgetConfig other : others) {
            usedIds.add(other.usbId());
            usedSerials.add(other.serial().toUpperCase(Locale.ROOT));
        }
        String content = wanted.render(id, usedIds, usedSerials, random.get());
        // The file must parse as every hook will parse it; parsing it now turns a bad option into exit 2.
        GadgetConfig config = new ConfigParser().parse(id, store.fileOf(id), content);
        List<Collisions.Collision> duplicates = Collisions.of(config, others);
        if (!duplicates.isEmpty() && !force) {
            throw ToolException.refused("VM " + id + " would share " + Collisions.describe(duplicates)
                    + "; give another --product-id, --serial or --image as named (or leave the ids out: init"
                    + " picks unused ones), or --force to write it anyway");
        }
        Plan<CommandRunner> plan = new Plan<CommandRunner>();
        if (!duplicates.isEmpty()) {
            plan.note("warning: --force: " + store.fileOf(id) + " duplicates " + Collisions.describe(duplicates));
        }
        plan.add(new WriteConfig(store, id, content, config, force));
        return new ConfigPlan(plan, config, true, duplicates);
    }

    /**
     * What {@code attach} asks for.
     *
     * @param image          {@code --image}, null to keep the existing config's
     * @param wanted         the values of a new config (only used when the VM has none)
     * @param usbSlot        {@code --usb-slot}
     * @param snippets       {@code --snippets}
     * @param keepHookscript leave the VM's hookscript alone
     * @param force          replace a different hookscript or an occupied {@code usbN}
     * @param mapping        {@code --mapping}: pass the drive through this cluster USB resource mapping (an empty
     *                       id: {@link UsbMapping#defaultId}); without it a VM wired through a mapping of the drive
     *                       keeps it, any other gets {@code host=VID:PID}
     */
    public record AttachRequest(VmId vmId, String image, NewConfig wanted, Optional<Integer> usbSlot,
                                Optional<String> snippets, boolean keepHookscript, boolean force,
                                Optional<String> mapping) {
        public AttachRequest(VmId vmId, String image, NewConfig wanted, Optional<Integer> usbSlot,
                             Optional<String> snippets, boolean keepHookscript, boolean force) {
            this(vmId, image, wanted, usbSlot, snippets, keepHookscript, force, Optional.empty());
        }
    }

    /**
     * The plan of {@code attach}.
     *
     * @param hookVolume where the shim goes, when the plan installs it
     * @param change     what its {@code qm set} changes
     * @param clusterNotes what other nodes need before they can start the VM
     * @param mappingCall  the {@code pvesh} that creates or updates the VM's USB mapping, if needed
     */
    public record AttachPlan(Plan<CommandRunner> plan, ConfigPlan config, Optional<String> hookVolume,
                             Optional<Path> hookPath, VmWiring.Change change, List<String> clusterNotes,
                             Optional<PveshCall> mappingCall) {
    }

    /**
     * {@code attach}: the config (an existing one is the VM's identity and is kept), the shim into a snippets
     * storage, and one {@code qm set}; all decided before anything is written.
     */
    public AttachPlan planAttach(AttachRequest request) {
        VmId id = request.vmId();
        refuseUnusable(request.wanted());
        Qm qm = new Qm(runner);
        qm.requireAvailable("attach", request.keepHookscript() ? new String[] {"qm"} : new String[] {"qm", "pvesm"});
        ConfigPlan config;
        if (store.exists(id)) {
            GadgetConfig existing = store.load(id);
            if (request.image() != null && !fileSystem.getPath(request.image()).equals(existing.image())) {
                throw ToolException.refused(store.fileOf(id) + " already uses image " + existing.image()
                        + "; to change it, edit its 'image =' line (the drive's identity stays), then run attach "
                        + "without --image");
            }
            config = new ConfigPlan(new Plan<CommandRunner>().note("keeping " + store.fileOf(id)), existing, false,
                    List.of());
        } else {
            if (request.image() == null) {
                throw ToolException.badInput("--image is required: VM " + id + " has no " + store.fileOf(id)
                        + " yet");
            }
            config = fresh(id, request.wanted(), request.force());
        }
        VmConfig vm = qm.config(id);
        String usbId = config.config().usbId().toString();
        List<String> nodes = cluster.nodes();
        List<String> clusterNotes = new ArrayList<>();
        Optional<String> hookVolume = Optional.empty();
        Optional<Path> hookPath = Optional.empty();
        if (!request.keepHookscript()) {
            Pvesm pvesm = new Pvesm(runner);
            Optional<String> current = vm.hookscript().filter(VmWiring::isOurHook).flatMap(VmWiring::storageOf);
            List<Pvesm.Storage> storages = pvesm.snippetStorages();
            String storage = Pvesm.choose(storages, request.snippets(), current);
            // Proxmox resolves the hookscript on the node that starts the VM: on a cluster prefer a storage every
            // node shares, and say what the others need otherwise.
            boolean severalNodes = nodes.size() > 1 && new Pvesh(runner).available();
            if (severalNodes && request.snippets().isEmpty() && current.isEmpty()) {
                storage = sharedEverywhere(storages, nodes).orElse(storage);
            }
            hookVolume = Optional.of(VmWiring.hookVolume(storage));
            hookPath = Optional.of(fileSystem.getPath(pvesm.path(hookVolume.get())));
            if (severalNodes) {
                clusterNotes.addAll(NodeCoverage.ofHookStorage(new Pvesh(runner).storage(storage),
                        cluster.otherNodes(), id, hookPath.get()));
            }
        }
        Map<String, List<String>> mappings = request.mapping().isPresent() || vm.usesUsbMappings()
                ? new Pvesh(runner).usbMappings() : Map.of();
        Set<String> ourMappings = UsbMapping.mappingsOf(mappings, usbId);
        Optional<String> mapping = request.mapping()
                .map(m -> UsbMapping.validId(m.isEmpty() ? UsbMapping.defaultId(id) : m))
                .or(() -> vm.usbSlotFor(usbId, ourMappings).flatMap(vm::get).flatMap(VmConfig::mappingOf));
        Optional<List<String>> mappingChange = Optional.empty();
        if (mapping.isPresent()) {
            mappingChange = UsbMapping.plan(id, mapping.get(), Optional.ofNullable(mappings.get(mapping.get())), nodes,
                    usbId, request.force());
        } else if (nodes.size() > 1) {
            clusterNotes.add("the cluster has " + nodes.size() + " nodes: with host=" + usbId + " 'qm migrate' of "
                    + "the stopped VM needs --force (a local device); attach " + id + " --mapping wires it through a "
                    + "cluster USB mapping instead (migration without --force, usable by non-root users)");
        }
        VmWiring.Change change = VmWiring.planAttach(id, vm, new VmWiring.AttachRequest(usbId, request.usbSlot(),
                hookVolume, request.force(), mapping, ourMappings));
        Plan<CommandRunner> plan = new Plan<CommandRunner>().addAll(config.plan());
        hookPath.ifPresent(path -> plan.add(new InstallShim(path, InstallShim.bundled())));
        Optional<PveshCall> mappingCall = mappingChange.map(PveshCall::new);
        mappingCall.ifPresent(plan::add);
        change.notes().forEach(plan::note);
        clusterNotes.forEach(plan::note);
        if (!change.isEmpty()) {
            plan.add(new QmSet(id, change.options()));
        }
        return new AttachPlan(plan, config, hookVolume, hookPath, change, clusterNotes, mappingCall);
    }

    /** The first active snippets storage that is shared and enabled on every node. */
    private Optional<String> sharedEverywhere(List<Pvesm.Storage> storages, List<String> nodes) {
        Pvesh pvesh = new Pvesh(runner);
        return storages.stream().filter(Pvesm.Storage::active).map(s -> pvesh.storage(s.name()))
                .filter(s -> s.shared() && nodes.stream().allMatch(s::enabledOn)).map(Pvesh.StorageInfo::id)
                .findFirst();
    }

    /**
     * The plan of {@code detach}.
     *
     * @param config the VM's config, if it has one (it stays: it is the drive's identity)
     */
    public record DetachPlan(Plan<CommandRunner> plan, Optional<GadgetConfig> config, VmWiring.Change change) {
    }

    /** {@code detach}: undoes attach's {@code qm set}; the config and the shim stay. */
    public DetachPlan planDetach(VmId id) {
        Qm qm = new Qm(runner);
        qm.requireAvailable("detach", "qm");
        Optional<GadgetConfig> config;
        try {
            config = store.loadIfPresent(id);
        } catch (ToolException e) {
            throw ToolException.badInput(e.getMessage() + " (detach needs it to find the VM's usbN)");
        }
        VmConfig vm = qm.config(id);
        Set<String> ourMappings = vm.usesUsbMappings() && config.isPresent()
                ? UsbMapping.mappingsOf(new Pvesh(runner).usbMappings(), config.get().usbId().toString()) : Set.of();
        VmWiring.Change change = VmWiring.planDetach(id, vm, config.map(c -> c.usbId().toString()), ourMappings);
        Plan<CommandRunner> plan = new Plan<>();
        change.notes().forEach(plan::note);
        if (!change.isEmpty()) {
            plan.add(new QmSet(id, change.options()));
        }
        return new DetachPlan(plan, config, change);
    }

    /** Runs a plan of this class. */
    public void apply(String operation, Plan<CommandRunner> plan) {
        PlanExecutor.quiet(runner).apply(operation, plan);
    }
}
