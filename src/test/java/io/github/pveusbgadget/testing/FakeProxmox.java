package io.github.pveusbgadget.testing;

import io.github.pveusbgadget.cli.Application;
import io.github.pveusbgadget.cli.Environment;
import io.github.pveusbgadget.host.CommandResult;
import io.github.pveusbgadget.host.CommandRunner;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Proxmox's {@code qm} and {@code pvesm} over a {@link FakeKernel}: records every call, answers in Proxmox's output
 * formats and applies {@code qm set} to the VM configs it keeps, with Proxmox's check that a hookscript exists and is
 * executable, and qemu-server's parameter verification of the keys it sets ({@link QemuServerSchema}). Every other
 * command goes to the kernel fake.
 */
public final class FakeProxmox implements CommandRunner {
    private final FakeKernel kernel;
    private final Map<Long, Map<String, String>> vms = new TreeMap<>();
    private final Map<String, String[]> storages = new LinkedHashMap<>();
    private final List<List<String>> calls = new ArrayList<>();

    public FakeProxmox(FakeKernel kernel) {
        this.kernel = kernel;
        storage("local", "dir", "active", "/var/lib/vz");
    }

    /** A storage with content {@code snippets}: name, type, status ({@code active}, ...) and its path. */
    public FakeProxmox storage(String name, String type, String status, String path) {
        storages.put(name, new String[] {type, status, path});
        return this;
    }

    public FakeProxmox noStorages() {
        storages.clear();
        return this;
    }

    /** A VM whose config is the {@code key: value} lines of {@code qmConfig}. */
    public FakeProxmox vm(long vmId, String qmConfig) {
        Map<String, String> options = new LinkedHashMap<>();
        for (String line : qmConfig.strip().split("\n")) {
            int colon = line.indexOf(": ");
            if (colon > 0) {
                options.put(line.substring(0, colon), line.substring(colon + 2));
            }
        }
        vms.put(vmId, options);
        return this;
    }

    public Map<String, String> vmConfig(long vmId) {
        return vms.get(vmId);
    }

    /** Every qm/pvesm call, e.g. {@code [qm, set, 100, --usb0, host=1d6b:4000,usb3=1]}. */
    public List<List<String>> calls() {
        return calls;
    }

    public List<List<String>> qmSets() {
        return calls.stream().filter(c -> c.size() > 1 && c.get(0).equals("qm") && c.get(1).equals("set")).toList();
    }

    /** The kernel fake's environment with this as its {@link CommandRunner} (whatever else the record holds). */
    public Environment environment() {
        Environment base = kernel.environment();
        try {
            var components = Environment.class.getRecordComponents();
            Object[] values = new Object[components.length];
            Class<?>[] types = new Class<?>[components.length];
            for (int i = 0; i < components.length; i++) {
                types[i] = components[i].getType();
                values[i] = types[i] == CommandRunner.class ? this : components[i].getAccessor().invoke(base);
            }
            return Environment.class.getDeclaredConstructor(types).newInstance(values);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    public CliRun run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Application.run(args, environment(), new PrintWriter(out, true), new PrintWriter(err, true));
        return new CliRun(code, out.toString(), err.toString());
    }

    @Override
    public boolean isAvailable(String program) {
        return program.equals("qm") || program.equals("pvesm");
    }

    @Override
    public CommandResult run(List<String> command, Duration timeout) {
        String program = command.get(0);
        if (!program.equals("qm") && !program.equals("pvesm")) {
            return kernel.run(command, timeout);
        }
        calls.add(List.copyOf(command));
        if (command.equals(List.of("pvesm", "status", "--content", "snippets"))) {
            StringBuilder out = new StringBuilder(String.format("%-6s %10s %10s %15s %15s %15s %8s%n", "Name", "Type",
                    "Status", "Total", "Used", "Available", "%"));
            storages.forEach((name, s) -> out.append(String.format("%-6s %10s %10s %15d %15d %15d %7.2f%%%n", name,
                    s[0], s[1], 98497780L, 12345678L, 81107652L, 12.53)));
            return ok(out.toString());
        }
        if (program.equals("pvesm") && command.size() == 3 && command.get(1).equals("path")) {
            String volid = command.get(2);
            String[] s = storages.get(volid.substring(0, Math.max(0, volid.indexOf(':'))));
            if (s == null) {
                return new CommandResult(255, "storage '" + volid + "' does not exist\n", false);
            }
            return ok(s[2] + "/" + volid.substring(volid.indexOf(':') + 1) + "\n");
        }
        if (program.equals("qm") && command.size() >= 3) {
            Map<String, String> vm = vms.get(Long.parseLong(command.get(2)));
            if (vm == null) {
                return new CommandResult(2, "Configuration file 'nodes/pve/qemu-server/" + command.get(2)
                        + ".conf' does not exist\n", false);
            }
            if (command.get(1).equals("config")) {
                StringBuilder out = new StringBuilder();
                new TreeMap<>(vm).forEach((k, v) -> out.append(k).append(": ").append(v).append('\n'));
                return ok(out.toString());
            }
            if (command.get(1).equals("set")) {
                return set(vm, command.subList(3, command.size()));
            }
        }
        return new CommandResult(255, "unknown command '" + String.join(" ", command) + "'\n", false);
    }

    private CommandResult set(Map<String, String> vm, List<String> options) {
        Map<String, String> changes = new LinkedHashMap<>();
        List<String> deletes = new ArrayList<>();
        for (int i = 0; i < options.size(); i += 2) {
            String key = options.get(i).replaceFirst("^--?", "");
            if (i + 1 >= options.size()) {
                return new CommandResult(255, "400 unable to parse option\n", false);
            }
            if (key.equals("delete")) {
                deletes.addAll(List.of(options.get(i + 1).split(",")));
            } else {
                changes.put(key, options.get(i + 1));
            }
        }
        for (Map.Entry<String, String> change : changes.entrySet()) {
            java.util.Optional<String> error = QemuServerSchema.verify(change.getKey(), change.getValue());
            if (error.isPresent()) {
                return new CommandResult(255, "400 Parameter verification failed.\n" + error.get() + "\n", false);
            }
        }
        for (String key : deletes) {
            if (!QemuServerSchema.knownKey(key)) {
                return new CommandResult(255, "400 Parameter verification failed.\ndelete: invalid format - invalid "
                        + "configuration key '" + key + "'\n", false);
            }
        }
        for (String key : deletes) {
            if (changes.containsKey(key)) {
                return new CommandResult(255, "400 Parameter verification failed.\ndelete: conflicting changes to '"
                        + key + "'\n", false);
            }
        }
        String boot = changes.get("boot");
        if (boot != null && boot.startsWith("order=")) {
            // qemu-server's own check (API2/Qemu.pm): every device of the order exists and is not being deleted.
            for (String dev : boot.substring("order=".length()).split("[;, ]")) {
                if ((!vm.containsKey(dev) && !changes.containsKey(dev)) || deletes.contains(dev)) {
                    return new CommandResult(255, "invalid bootorder: device '" + dev + "' does not exist'\n", false);
                }
            }
        }
        String hook = changes.get("hookscript");
        if (hook != null) {
            // PVE::GuestHelpers::check_hookscript, with its wording.
            String[] s = storages.get(hook.substring(0, hook.indexOf(':')));
            if (s == null) {
                return new CommandResult(255, "400 Parameter verification failed.\nhookscript: storage '"
                        + hook.substring(0, hook.indexOf(':')) + "' does not exist\n", false);
            }
            if (!hook.substring(hook.indexOf(':') + 1).startsWith("snippets/")) {
                return new CommandResult(255, "400 Parameter verification failed.\nhookscript: '" + hook
                        + "' is not in the snippets directory\n", false);
            }
            Path file = kernel.path(s[2] + "/" + hook.substring(hook.indexOf(':') + 1));
            if (!Files.isRegularFile(file)) {
                return new CommandResult(255, "400 Parameter verification failed.\nhookscript: script '" + hook
                        + "' does not exist\n", false);
            }
            boolean executable;
            try {
                executable = Files.getPosixFilePermissions(file)
                        .contains(java.nio.file.attribute.PosixFilePermission.OWNER_EXECUTE);
            } catch (java.io.IOException e) {
                executable = false;
            }
            if (!executable) {
                return new CommandResult(255, "400 Parameter verification failed.\nhookscript: script '" + hook
                        + "' is not executable\n", false);
            }
        }
        StringBuilder out = new StringBuilder("update VM:");
        changes.forEach((k, v) -> out.append(" -").append(k).append(' ').append(v));
        if (!deletes.isEmpty()) {
            out.append(" -delete ").append(String.join(",", deletes));
        }
        deletes.forEach(vm::remove);
        vm.putAll(changes);
        return ok(out + "\n");
    }

    private static CommandResult ok(String output) {
        return new CommandResult(0, output, false);
    }
}
