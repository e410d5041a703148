package io.github.pveusbgadget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pveusbgadget.testing.CliRun;
import io.github.pveusbgadget.testing.DashReplay;
import io.github.pveusbgadget.testing.FakeKernel;
import io.github.pveusbgadget.testing.FakeProxmox;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of dry-run script (up, down, init, attach, detach), run under dash on a scratch copy of the host,
 * builds the same tree and makes the same external calls as the apply of the same command in the fake.
 */
class DryRunReplayTest {
    private static final String VM = """
            boot: order=scsi0;net0
            net0: virtio=BC:24:11:2A:3B:4C,bridge=vmbr0
            scsi0: local-lvm:vm-100-disk-0,size=32G
            """;

    @TempDir
    Path scratch;

    private DashReplay replay;
    private FakeKernel kernel;
    private String root;

    @BeforeEach
    void host() {
        DashReplay.dash();
        replay = new DashReplay(scratch);
        root = replay.root();
        kernel = new FakeKernel(root);
        kernel.image("100.img", 4096);
    }

    private CliRun run(String... args) {
        return CliRun.run(kernel, withRoots(args));
    }

    private String[] withRoots(String... args) {
        List<String> all = new ArrayList<>(replay.globalOptions());
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }

    /** What the kernel and the mount made: the scratch copy takes it from the fake after the apply. */
    private Predicate<String> kernelSide() {
        String sys = root + "/sys/";
        String configfs = root + FakeKernel.CONFIGFS;
        return p -> (p.startsWith(sys) && !p.startsWith(configfs + "/")) || p.equals(configfs + "/usb_gadget")
                || p.equals(root + "/proc/self/mountinfo");
    }

    private List<String> fakeTree() {
        Set<String> written = kernel.configfsOps().stream().filter(op -> op.startsWith("write "))
                .map(op -> op.substring("write ".length(), op.indexOf(' ', "write ".length())))
                .collect(Collectors.toSet());
        Set<Path> kernelMade = kernel.kernelMade();
        String lock = root + "/run/lock/pve-usb-gadget.lock";
        // The kernel's attributes nobody wrote are not on the plain scratch directory; the lock is the apply's own.
        return replay.tree(kernel.fileSystem(), p -> p.toString().equals(lock)
                || (kernelMade.contains(p) && Files.isRegularFile(p) && !written.contains(p.toString())));
    }

    private List<String> scratchTree() {
        return replay.tree(FileSystems.getDefault(), p -> false);
    }

    private List<String> hostCommands(int from) {
        return kernel.commands().subList(from, kernel.commands().size()).stream()
                .filter(c -> c.startsWith("modprobe ") || c.startsWith("mount ")).toList();
    }

    private List<Path> kernelMadeDirs() {
        return kernel.kernelMade().stream().filter(Files::isDirectory).toList();
    }

    @Test
    void upAndDownScriptsBuildAndRemoveWhatTheApplyDoes() throws Exception {
        kernel.config(100, "image = " + root + "/images/100.img\nproduct_id = 0x4000\nserial = ABC\n"
                + "product = A\\cB \\n it's\n");
        CliRun dryUp = run("up", "100", "--dry-run");
        assertThat(dryUp.exitCode()).as(dryUp.toString()).isZero();
        replay.copyFrom(kernel.fileSystem(), kernelSide().negate());
        CliRun up = run("up", "100");
        assertThat(up.exitCode()).as(up.toString()).isZero();
        replay.copyFrom(kernel.fileSystem(), kernelSide());
        List<String> calls = replay.run(dryUp.out(), kernelMadeDirs());
        assertThat(calls).isEqualTo(hostCommands(0));
        assertThat(scratchTree()).isEqualTo(fakeTree())
                .contains(root + FakeKernel.CONFIGFS + "/usb_gadget/pve-usb-gadget-100/strings/0x409/product "
                        + "rw-r--r-- = A\\cB \\n it's\n");

        int commands = kernel.commands().size();
        List<Path> dirsBeforeDown = kernelMadeDirs();
        CliRun dryDown = run("down", "100", "--dry-run");
        assertThat(dryDown.exitCode()).as(dryDown.toString()).isZero();
        CliRun down = run("down", "100");
        assertThat(down.exitCode()).as(down.toString()).isZero();
        replay.copyFrom(kernel.fileSystem(), kernelSide());
        assertThat(replay.run(dryDown.out(), dirsBeforeDown)).isEqualTo(hostCommands(commands));
        assertThat(scratchTree()).isEqualTo(fakeTree());
    }

    @Test
    void initScriptWritesTheConfigTheApplyWrites() throws Exception {
        String[] init = {"init", "102", "--image", root + "/images/x.img", "--serial", "XYZ"};
        CliRun dry = run(concat(init, "--dry-run"));
        assertThat(dry.exitCode()).as(dry.toString()).isZero();
        replay.copyFrom(kernel.fileSystem(), p -> true);
        assertThat(run(init).exitCode()).isZero();
        assertThat(replay.run(dry.out(), List.of())).isEmpty();
        assertThat(scratchTree()).isEqualTo(fakeTree()).anyMatch(e -> e.startsWith(root
                + FakeKernel.CONFIG_DIR + "/102.conf rw------- = "));
    }

    @Test
    void attachAndDetachScriptsMakeTheChangesTheApplyMakes() throws Exception {
        FakeProxmox pve = new FakeProxmox(kernel).noStorages().storage("local", "dir", "active", root + "/var/lib/vz")
                .vm(100, VM);
        String[] attach = {"attach", "100", "--image", root + "/images/100.img", "--serial", "ABC"};
        CliRun dry = pve.run(withRoots(concat(attach, "--dry-run")));
        assertThat(dry.exitCode()).as(dry.toString()).isZero();
        replay.copyFrom(kernel.fileSystem(), p -> true);
        CliRun applied = pve.run(withRoots(attach));
        assertThat(applied.exitCode()).as(applied.toString()).isZero();
        assertThat(replay.run(dry.out(), List.of())).isEqualTo(qmSets(pve, 0));
        assertThat(scratchTree()).isEqualTo(fakeTree()).anyMatch(e -> e.startsWith(root
                + "/var/lib/vz/snippets/pve-usb-gadget-hook rwxr-xr-x = #!/bin/sh"));

        int sets = pve.qmSets().size();
        CliRun dryDetach = pve.run(withRoots("detach", "100", "--dry-run"));
        assertThat(dryDetach.exitCode()).as(dryDetach.toString()).isZero();
        assertThat(pve.run(withRoots("detach", "100")).exitCode()).isZero();
        assertThat(replay.run(dryDetach.out(), List.of())).isEqualTo(qmSets(pve, sets)).hasSize(1);
    }

    private static List<String> qmSets(FakeProxmox pve, int from) {
        return pve.qmSets().subList(from, pve.qmSets().size()).stream().map(c -> String.join(" ", c)).toList();
    }

    private static String[] concat(String[] args, String... more) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }
}
