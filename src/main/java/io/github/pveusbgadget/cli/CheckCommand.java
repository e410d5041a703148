package io.github.pveusbgadget.cli;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.config.GadgetConfig;
import io.github.pveusbgadget.config.VmId;
import io.github.pveusbgadget.gadget.GadgetLayout;
import io.github.pveusbgadget.gadget.ObservedGadget;
import io.github.pveusbgadget.host.CommandResult;
import io.github.pveusbgadget.image.ImageProblem;
import io.github.pveusbgadget.kernel.KernelModules;
import io.github.pveusbgadget.kernel.MountTable;
import io.github.pveusbgadget.kernel.Udc;
import io.github.pveusbgadget.proxmox.Pvesm;
import io.github.pveusbgadget.proxmox.VmConfig;
import io.github.pveusbgadget.proxmox.VmWiring;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code check [<vmid>]}: the preflight, printing what to fix. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Preflight: modules, configfs, free UDC, config, image, and the VM's usbN entry and boot order.")
final class CheckCommand extends BaseCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "VMID")
    String vmId;

    private int worst;

    @Override
    public Integer call() {
        Services services = services();
        for (String module : KernelModules.GADGET_MODULES) {
            boolean available = services.modules().isAvailable(module);
            report(available ? 0 : 1, "kernel module " + module, available ? "" : services.modules().whyMissing(module));
        }
        boolean mounted = MountTable.read(services.roots().mountInfo()).hasMount(services.roots().configfs(),
                "configfs");
        report(0, "configfs " + (mounted ? "mounted on " : "not mounted yet on ") + services.roots().configfs()
                + (mounted ? "" : " (up mounts it)"), "");
        checkUdcs(services);
        List<VmId> ids = vmId == null ? services.store().list() : List.of(vmId(vmId));
        if (ids.isEmpty()) {
            report(0, "no VM configured in " + services.store().directory(), "");
        }
        ids.forEach(id -> checkVm(services, id));
        return worst;
    }

    private void checkUdcs(Services services) {
        if (!services.modules().isLoaded("dummy_hcd")) {
            report(0, "dummy_hcd not loaded yet (up loads it)", "");
            return;
        }
        List<Udc> udcs = services.udcs().dummyUdcs();
        Set<String> taken = services.inspector().all().stream().map(ObservedGadget::udc)
                .filter(u -> !u.isBlank()).collect(Collectors.toSet());
        long free = udcs.stream().filter(u -> !taken.contains(u.name())).count();
        report(free > 0 ? 0 : 1, free + " of " + udcs.size() + " dummy UDCs free",
                "raise num in /etc/modprobe.d/pve-usb-gadget.conf and reload dummy_hcd while no VM uses it");
    }

    private void checkVm(Services services, VmId id) {
        GadgetConfig config;
        try {
            config = services.store().load(id);
        } catch (ToolException e) {
            report(ToolException.BAD_INPUT, "VM " + id + ": config", e.getMessage());
            return;
        }
        report(0, "VM " + id + ": config " + config.source() + " (" + config.usbId() + ", GUID "
                + config.unraidGuid() + ")", "");
        boolean ours = services.inspector().ours(id).isPresent();
        List<ImageProblem> problems = services.lifecycle().problems(config);
        problems.forEach(p -> report(p.badConfig() ? ToolException.BAD_INPUT : 1, "VM " + id, p.message()));
        if (problems.isEmpty()) {
            report(0, "VM " + id + ": image " + config.image() + " usable"
                    + (ours ? " (gadget " + GadgetLayout.nameOf(id) + " exists)" : ""), "");
        }
        checkProxmox(services, id, config);
    }

    private void checkProxmox(Services services, VmId id, GadgetConfig config) {
        if (!services.environment().runner().isAvailable("qm")) {
            report(0, "VM " + id + ": Proxmox VM config not checked (no 'qm' on this host)", "");
            return;
        }
        CommandResult result = services.environment().runner().run(List.of("qm", "config", id.toString()),
                Duration.ofSeconds(30));
        if (!result.succeeded()) {
            report(1, "VM " + id + ": qm config " + id, result.lastLine());
            return;
        }
        VmConfig vm = VmConfig.parse(result.output());
        Optional<String> slot = vm.usbSlotFor(config.usbId().toString());
        if (slot.isEmpty()) {
            String others = vm.usbEntries().entrySet().stream()
                    .filter(e -> VmConfig.usbIdOf(e.getValue()).filter(u -> u.startsWith(config.usbId().vendorHex()
                            + ":")).isPresent())
                    .map(e -> "usb" + e.getKey() + " passes " + VmConfig.usbIdOf(e.getValue()).get())
                    .collect(Collectors.joining(", "));
            report(1, "VM " + id + ": no usbN entry for " + config.usbId()
                            + (others.isEmpty() ? "" : " (mismatch: " + others + ")"),
                    "pve-usb-gadget attach " + id + " (or: qm set " + id + " --usbN host=" + config.usbId()
                            + ",usb3=1)");
            checkHookscript(services, id, vm);
            return;
        }
        boolean usb3 = vm.get(slot.get()).orElse("").matches("(.*,)?usb3=(1|on|yes|true)(,.*)?");
        report(0, "VM " + id + ": " + slot.get() + " passes " + config.usbId() + " through"
                + (usb3 ? "" : " (without usb3=1: the VM sees it at USB 2 speed; pve-usb-gadget attach " + id
                + " adds it)"), "");
        List<String> order = vm.bootOrder();
        report(!order.isEmpty() && order.get(0).equals(slot.get()) ? 0 : 1,
                "VM " + id + ": boot order " + (order.isEmpty() ? "(none)" : String.join(";", order)),
                "put " + slot.get() + " first: qm set " + id + " --boot order=" + slot.get()
                        + order.stream().filter(d -> !d.equals(slot.get())).map(d -> ";" + d)
                        .collect(Collectors.joining()));
        checkHookscript(services, id, vm);
    }

    private void checkHookscript(Services services, VmId id, VmConfig vm) {
        Optional<String> hook = vm.hookscript();
        if (hook.isPresent() && !VmWiring.isOurHook(hook.get()) && chainsOurHook(services, hook.get())) {
            report(0, "VM " + id + ": hookscript " + hook.get() + " chains " + VmWiring.HOOK_NAME, "");
            return;
        }
        report(hook.filter(VmWiring::isOurHook).isPresent() ? 0 : 1,
                "VM " + id + ": hookscript " + hook.orElse("(none)"),
                hook.isEmpty() ? "pve-usb-gadget attach " + id
                        : "pve-usb-gadget attach " + id + " --force replaces it; " + VmWiring.chainAdvice(hook.get()));
    }

    /** Whether an existing (foreign) hookscript calls ours, as attach's advice says to chain it. */
    private static boolean chainsOurHook(Services services, String volid) {
        try {
            String path = new Pvesm(services.environment().runner()).path(volid);
            return Files.readString(services.environment().fileSystem().getPath(path))
                    .contains(VmWiring.HOOK_NAME);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private void report(int severity, String what, String fix) {
        if (severity == 0) {
            out().println("ok    " + what);
            return;
        }
        out().println("FAIL  " + what + (fix.isEmpty() ? "" : ": " + fix));
        worst = Math.max(worst, severity);
    }
}
