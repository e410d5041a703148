package io.github.pveusbgadget.check;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.config.Collisions;
import io.github.pveusbgadget.config.ConfigStore;
import io.github.pveusbgadget.config.GadgetConfig;
import io.github.pveusbgadget.config.VmId;
import io.github.pveusbgadget.gadget.GadgetLayout;
import io.github.pveusbgadget.gadget.GadgetLifecycle;
import io.github.pveusbgadget.gadget.HostSnapshot;
import io.github.pveusbgadget.host.CommandResult;
import io.github.pveusbgadget.host.CommandRunner;
import io.github.pveusbgadget.host.HostRoots;
import io.github.pveusbgadget.image.ImageProblem;
import io.github.pveusbgadget.kernel.KernelModules;
import io.github.pveusbgadget.plan.Shell;
import io.github.pveusbgadget.proxmox.Cluster;
import io.github.pveusbgadget.proxmox.NodeCoverage;
import io.github.pveusbgadget.proxmox.Pvesh;
import io.github.pveusbgadget.proxmox.Pvesm;
import io.github.pveusbgadget.proxmox.Qm;
import io.github.pveusbgadget.proxmox.UsbController;
import io.github.pveusbgadget.proxmox.UsbMapping;
import io.github.pveusbgadget.proxmox.VmConfig;
import io.github.pveusbgadget.proxmox.VmWiring;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code check}: the preflight. It decides nothing of its own: the gadget's problems are those {@code up} would
 * refuse ({@link GadgetLifecycle#problems}), free UDCs those its planner would choose from, and the VM's Proxmox
 * configuration is judged by what {@code attach} would change ({@link VmWiring#planAttach}).
 */
public final class Preflight {
    /**
     * One line of the report.
     *
     * @param severity 0 ok (or not checked), else the exit code it stands for (1 the host's state, 2 a bad config)
     * @param fix      what to do, empty when ok
     * @param skipped  not checked at all (severity 0: nothing wrong is known, but nothing is known to be right)
     */
    public record Finding(int severity, String what, String fix, boolean skipped) {
        Finding(int severity, String what, String fix) {
            this(severity, what, fix, false);
        }

        static Finding ok(String what) {
            return new Finding(0, what, "");
        }

        static Finding skipped(String what) {
            return new Finding(0, what, "", true);
        }
    }

    private final ConfigStore store;
    private final KernelModules modules;
    private final GadgetLifecycle lifecycle;
    private final CommandRunner runner;
    private final HostRoots roots;
    private final Cluster cluster;
    private final Clock clock;
    private final String version;

    /**
     * @param cluster the nodes that may run the VMs; on a Proxmox node {@code check} writes this node's
     *                {@link NodeReport} and reads the others'
     * @param version the tool's version, for this node's report
     */
    public Preflight(ConfigStore store, KernelModules modules, GadgetLifecycle lifecycle, CommandRunner runner,
                     HostRoots roots, Cluster cluster, Clock clock, String version) {
        this.store = store;
        this.modules = modules;
        this.lifecycle = lifecycle;
        this.runner = runner;
        this.roots = roots;
        this.cluster = cluster;
        this.clock = clock;
        this.version = version;
    }

    /** The findings for the host and {@code only} (or every configured VM). */
    public List<Finding> run(Optional<VmId> only) {
        List<Finding> findings = new ArrayList<>();
        for (String module : KernelModules.GADGET_MODULES) {
            boolean available = modules.isAvailable(module);
            findings.add(new Finding(available ? 0 : 1, "kernel module " + module,
                    available ? "" : modules.whyMissing(module)));
        }
        HostSnapshot host = lifecycle.snapshot();
        String configfs = roots.configfs().toString();
        findings.add(Finding.ok("configfs " + (host.configfsMounted() ? "mounted on " : "not mounted yet on ")
                + configfs + (host.configfsMounted() ? "" : " (up mounts it)")));
        if (!host.isLoaded("dummy_hcd")) {
            findings.add(Finding.ok("dummy_hcd not loaded yet (up loads it)"));
        } else {
            int free = host.freeUdcs(Optional.empty()).size();
            findings.add(new Finding(free > 0 ? 0 : 1, free + " of " + host.udcs().size() + " dummy UDCs free",
                    "raise num in /etc/modprobe.d/pve-usb-gadget.conf and reload dummy_hcd while no VM uses it"));
        }
        List<VmId> ids = only.map(List::of).orElseGet(store::list);
        if (ids.isEmpty()) {
            findings.add(Finding.ok("no VM configured in " + store.directory()));
        }
        ids.forEach(id -> checkVm(id, host, findings));
        if (cluster.pmxcfs().isPresent() && cluster.self().isPresent()) {
            publishReport(findings);
            if (cluster.multiNode()) {
                ids.forEach(id -> checkOtherNodes(id, findings));
            }
        }
        return findings;
    }

    /** This node's {@link NodeReport}, for {@code check} on the other nodes. */
    private void publishReport(List<Finding> findings) {
        String self = cluster.self().get();
        Map<String, String> moduleFixes = new LinkedHashMap<>();
        for (String module : KernelModules.GADGET_MODULES) {
            moduleFixes.put(module, modules.isAvailable(module) ? "" : modules.whyMissing(module));
        }
        Map<String, String> hookscripts = new LinkedHashMap<>();
        if (runner.isAvailable("pvesm")) {
            try {
                Pvesm pvesm = new Pvesm(runner);
                for (Pvesm.Storage storage : pvesm.snippetStorages()) {
                    if (storage.active()) {
                        String path = pvesm.path(VmWiring.hookVolume(storage.name()));
                        Path file = roots.configfs().getFileSystem().getPath(path);
                        if (Files.isRegularFile(file) && Files.isExecutable(file)) {
                            hookscripts.put(storage.name(), path);
                        }
                    }
                }
            } catch (ToolException e) {
                findings.add(new Finding(1, "node " + self + ": snippets storages", e.getMessage()));
            }
        }
        Map<String, String> images = new LinkedHashMap<>();
        for (VmId id : store.list()) {
            try {
                Path image = store.load(id).image();
                images.put(id.toString(), Files.exists(image) && !Files.isDirectory(image) ? ""
                        : "image " + image + " does not exist on " + self);
            } catch (ToolException e) {
                images.put(id.toString(), e.getMessage());
            }
        }
        NodeReport report = new NodeReport(self, version, Instant.now(clock).truncatedTo(ChronoUnit.SECONDS)
                .toString(), moduleFixes, hookscripts, images);
        Path dir = cluster.nodeDir(self).get();
        Finding written;
        try {
            report.write(dir);
            written = Finding.ok("node " + self + ": report for the other nodes written to "
                    + dir.resolve(NodeReport.FILE));
        } catch (IOException e) {
            written = Finding.skipped("node " + self + ": report for the other nodes not written to "
                    + dir.resolve(NodeReport.FILE) + " (" + e.getMessage() + "; read-only without quorum?)");
        }
        // A single node writes its report too (for the node that joins later) but has no one to tell.
        if (cluster.multiNode()) {
            findings.add(written);
        }
    }

    /**
     * What every other node lacks to start VM {@code id} (after an offline migration or an HA recovery), from the
     * node's own report: the package, {@code dummy_hcd}, the hookscript, the image.
     */
    private void checkOtherNodes(VmId id, List<Finding> findings) {
        Optional<VmConfig> vm = clusterVmConfig(id);
        Optional<String> hookStorage = vm.flatMap(VmConfig::hookscript).filter(VmWiring::isOurHook)
                .flatMap(VmWiring::storageOf);
        for (String node : cluster.otherNodes()) {
            Path dir = cluster.nodeDir(node).get();
            Optional<NodeReport> read;
            try {
                read = NodeReport.read(dir);
            } catch (IOException | RuntimeException e) {
                findings.add(new Finding(1, "node " + node + ": VM " + id + ": unreadable report "
                        + dir.resolve(NodeReport.FILE) + " (" + e.getMessage() + ")",
                        "run 'pve-usb-gadget check' on " + node + " again"));
                continue;
            }
            if (read.isEmpty()) {
                findings.add(new Finding(1, "node " + node + ": VM " + id + ": no report from pve-usb-gadget there ("
                        + dir.resolve(NodeReport.FILE) + ")", "install the package on " + node
                        + " and run 'pve-usb-gadget check' there; until then VM " + id + " cannot start there"));
                continue;
            }
            NodeReport report = read.get();
            List<String> missing = new ArrayList<>();
            report.modules().forEach((module, fix) -> {
                if (!fix.isEmpty()) {
                    missing.add("kernel module " + module + ": " + fix);
                }
            });
            hookStorage.filter(s -> !report.hookscripts().containsKey(s)).ifPresent(s -> missing.add(
                    "no executable hookscript " + VmWiring.hookVolume(s) + " (run there: "
                            + hookPath(s).map(NodeCoverage::installCommand).orElse("install -D -m 755 "
                            + VmWiring.INSTALLED_HOOK + " <the storage's snippets dir>/" + VmWiring.HOOK_NAME) + ")"));
            String image = report.images().get(id.toString());
            if (image == null) {
                missing.add("VM " + id + "'s image not checked there (the report predates its config)");
            } else if (!image.isEmpty()) {
                missing.add(image);
            }
            String when = " (" + report.version() + ", reported " + report.time() + ")";
            if (missing.isEmpty()) {
                findings.add(Finding.ok("node " + node + ": can start VM " + id + when));
            } else {
                findings.add(new Finding(1, "node " + node + ": cannot start VM " + id + when + ": "
                        + String.join("; ", missing), "fix it on " + node + ", then run 'pve-usb-gadget check' there"));
            }
        }
    }

    /** Where {@code storage}'s shim is, as this node resolves it (the storage config is cluster-wide). */
    private Optional<Path> hookPath(String storage) {
        try {
            return runner.isAvailable("pvesm") ? Optional.of(roots.configfs().getFileSystem().getPath(
                    new Pvesm(runner).path(VmWiring.hookVolume(storage)))) : Optional.empty();
        } catch (ToolException e) {
            return Optional.empty();
        }
    }

    /** The node whose pmxcfs directory holds VM {@code id}'s Proxmox config, if any. */
    private Optional<String> nodeOf(VmId id) {
        return cluster.nodes().stream().filter(n -> Files.isRegularFile(vmConfigFile(n, id))).findFirst();
    }

    private Path vmConfigFile(String node, VmId id) {
        return cluster.nodeDir(node).get().resolve("qemu-server").resolve(id + ".conf");
    }

    /** VM {@code id}'s Proxmox config as pmxcfs holds it, on whichever node it is. */
    private Optional<VmConfig> clusterVmConfig(VmId id) {
        return nodeOf(id).flatMap(node -> {
            try {
                return Optional.of(VmConfig.parse(Files.readString(vmConfigFile(node, id))));
            } catch (IOException e) {
                return Optional.empty();
            }
        });
    }

    private void checkVm(VmId id, HostSnapshot host, List<Finding> findings) {
        GadgetConfig config;
        try {
            config = store.load(id);
        } catch (ToolException e) {
            findings.add(new Finding(ToolException.BAD_INPUT, "VM " + id + ": config", e.getMessage()));
            return;
        }
        findings.add(Finding.ok("VM " + id + ": config " + config.source() + " (" + config.usbId() + ", GUID "
                + config.unraidGuid() + ")"));
        List<Collisions.Collision> shared = Collisions.of(config, store.loadOthers(id));
        if (!shared.isEmpty()) {
            findings.add(new Finding(ToolException.BAD_INPUT, "VM " + id + ": " + config.source() + " shares "
                    + Collisions.describe(shared), "give one of them its own identity: move it aside and run "
                    + "'pve-usb-gadget init' again (an unRAID license follows the GUID), or point it at its own "
                    + "image"));
        }
        List<ImageProblem> problems = lifecycle.problems(config, host);
        problems.forEach(p -> findings.add(new Finding(p.badConfig() ? ToolException.BAD_INPUT : 1, "VM " + id,
                p.message())));
        if (problems.isEmpty()) {
            findings.add(Finding.ok("VM " + id + ": image " + config.image() + " usable"
                    + (host.ours(id).isPresent() ? " (gadget " + GadgetLayout.nameOf(id) + " exists)" : "")));
        }
        checkProxmox(id, config, findings);
    }

    private void checkProxmox(VmId id, GadgetConfig config, List<Finding> findings) {
        if (!runner.isAvailable("qm")) {
            findings.add(Finding.skipped("VM " + id + ": Proxmox VM config not checked (no 'qm' on this host)"));
            return;
        }
        Optional<String> node = cluster.pmxcfs().isPresent() ? nodeOf(id) : Optional.empty();
        if (node.isPresent() && cluster.self().isPresent() && !node.equals(cluster.self())) {
            findings.add(Finding.skipped("VM " + id + ": on node " + node.get() + " (its usbN, boot order and "
                    + "hookscript are checked there: qm only reads this node's VMs)"));
            return;
        }
        CommandResult result = runner.run(List.of("qm", "config", id.toString()), Duration.ofSeconds(30));
        if (!result.succeeded()) {
            findings.add(new Finding(1, "VM " + id + ": qm config " + id, result.lastLine()));
            return;
        }
        VmConfig vm = VmConfig.parse(result.output());
        String usbId = config.usbId().toString();
        Map<String, List<String>> mappings = Map.of();
        if (vm.usesUsbMappings()) {
            try {
                mappings = new Pvesh(runner).usbMappings();
            } catch (ToolException e) {
                findings.add(new Finding(1, "VM " + id + ": USB mappings", e.getMessage()));
            }
        }
        Set<String> ourMappings = UsbMapping.mappingsOf(mappings, usbId);
        Optional<String> slot = vm.usbSlotFor(usbId, ourMappings);
        if (slot.isEmpty()) {
            String others = vm.usbEntries().entrySet().stream()
                    .filter(e -> VmConfig.usbIdOf(e.getValue()).filter(u -> u.startsWith(config.usbId().vendorHex()
                            + ":")).isPresent())
                    .map(e -> "usb" + e.getKey() + " passes " + VmConfig.usbIdOf(e.getValue()).get())
                    .collect(Collectors.joining(", "));
            findings.add(new Finding(1, "VM " + id + ": no usbN entry for " + usbId
                    + (others.isEmpty() ? "" : " (mismatch: " + others + ")"),
                    "pve-usb-gadget attach " + id + byHand(id, vm, usbId)));
            checkHookscript(id, vm, findings);
            return;
        }
        // What attach would change in this VM, leaving its hookscript aside: the usbN value and the boot order.
        Optional<String> mapping = vm.get(slot.get()).flatMap(VmConfig::mappingOf);
        VmWiring.Change attach = VmWiring.planAttach(id, vm, new VmWiring.AttachRequest(usbId, Optional.empty(),
                Optional.empty(), false, mapping, ourMappings));
        if (mapping.isPresent()) {
            checkMapping(id, mapping.get(), mappings.get(mapping.get()), usbId, findings);
        }
        // qemu-server puts every device on qemu-xhci (USB 3) on modern machine and OS types and ignores usb3 there.
        boolean xhci = UsbController.usesQemuXhci(vm);
        boolean usb3 = xhci || VmWiring.passesAtUsb3(vm.get(slot.get()).orElse(""));
        findings.add(Finding.ok("VM " + id + ": " + slot.get() + " passes " + usbId + " through"
                + (usb3 ? "" : " (without usb3=1: the VM sees it at USB 2 speed; pve-usb-gadget attach " + id
                + " adds it)")));
        if (Integer.parseInt(slot.get().substring("usb".length())) >= UsbController.slots(vm)) {
            findings.add(new Finding(1, "VM " + id + ": " + slot.get() + " cannot start: "
                    + UsbController.slotRule(), "move it to a free usb0..usb" + (UsbController.OLD_SLOTS - 1)
                    + ": pve-usb-gadget attach " + id + " --usb-slot N"));
        }
        List<String> order = vm.bootOrder();
        int boot = attach.options().indexOf("--boot");
        findings.add(new Finding(boot < 0 ? 0 : 1,
                "VM " + id + ": boot order " + (order.isEmpty() ? "(none)" : String.join(";", order)),
                boot < 0 ? "" : "put " + slot.get() + " first: " + Shell.join(Qm.setCommand(id,
                        List.of("--boot", attach.options().get(boot + 1))))));
        checkHookscript(id, vm, findings);
    }

    /** Whether USB mapping {@code id} gives every node the drive (qemu-server resolves it on the starting node). */
    private void checkMapping(VmId vmId, String id, List<String> entries, String usbId, List<Finding> findings) {
        List<String> lacking = cluster.nodes().stream().filter(node -> entries.stream().noneMatch(e ->
                Pvesh.property(e, "node").equals(Optional.of(node))
                        && Pvesh.property(e, "id").map(String::toLowerCase).equals(Optional.of(usbId)))).toList();
        findings.add(new Finding(lacking.isEmpty() ? 0 : 1, "VM " + vmId + ": USB mapping " + id
                + (lacking.isEmpty() ? " gives every node " + usbId : " does not give " + String.join(", ", lacking)
                + " the drive " + usbId), lacking.isEmpty() ? "" : "pve-usb-gadget attach " + vmId + " --mapping " + id
                + " adds them (qemu-server refuses to start or migrate the VM there)"));
    }

    /** The {@code qm set} that passes the drive through in the slot attach would choose, as a pasteable line. */
    private static String byHand(VmId id, VmConfig vm, String usbId) {
        try {
            VmWiring.Change change = VmWiring.planAttach(id, vm, new VmWiring.AttachRequest(usbId, Optional.empty(),
                    Optional.empty(), false));
            return change.slot().map(slot -> " (or: " + Shell.join(Qm.setCommand(id, List.of("--" + slot,
                    VmWiring.usbValue(usbId)))) + ")").orElse("");
        } catch (ToolException e) {
            return " (" + e.getMessage() + ")";
        }
    }

    private void checkHookscript(VmId id, VmConfig vm, List<Finding> findings) {
        Optional<String> hook = vm.hookscript();
        if (hook.isPresent() && !VmWiring.isOurHook(hook.get()) && chainsOurHook(hook.get())) {
            findings.add(Finding.ok("VM " + id + ": hookscript " + hook.get() + " chains " + VmWiring.HOOK_NAME));
            return;
        }
        findings.add(new Finding(hook.filter(VmWiring::isOurHook).isPresent() ? 0 : 1,
                "VM " + id + ": hookscript " + hook.orElse("(none)"),
                hook.isEmpty() ? "pve-usb-gadget attach " + id
                        : "pve-usb-gadget attach " + id + " --force replaces it; " + VmWiring.chainAdvice(hook.get())));
    }

    /** Whether an existing (foreign) hookscript calls ours, as attach's advice says to chain it. */
    private boolean chainsOurHook(String volid) {
        try {
            return Files.readString(roots.configfs().getFileSystem().getPath(new Pvesm(runner).path(volid))).contains(VmWiring.HOOK_NAME);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
