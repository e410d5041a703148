package io.github.pveusbgadget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pveusbgadget.testing.CliRun;
import io.github.pveusbgadget.testing.FakeKernel;
import io.github.pveusbgadget.testing.FakeProxmox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Two nodes, alpha and beta, each with its own configfs, sysfs and procfs, sharing one pmxcfs ({@code /pve}): a VM
 * attached on alpha starts on beta (after an offline migration or an HA recovery) with the same drive, applied on
 * beta's configfs; ids stay unique across the nodes; {@code check} says per node what is missing (issue 13).
 */
class TwoNodeClusterTest {
    private static final String PVE = "/pve";
    private static final String VM = """
            boot: order=scsi0;net0
            memory: 4096
            net0: virtio=BC:24:11:2A:3B:4C,bridge=vmbr0
            ostype: l26
            scsi0: local-lvm:vm-100-disk-0,size=32G
            """;

    private final FakeKernel alpha = new FakeKernel("/alpha").pmxcfsAt(PVE, "alpha");
    private final FakeKernel beta = new FakeKernel(alpha, "/beta").pmxcfsAt(PVE, "beta");
    {
        try {
            Files.writeString(alpha.path(PVE + "/.members"), """
                    {
                    "nodename": "alpha",
                    "version": 4,
                    "cluster": { "name": "sim", "version": 2, "nodes": 2, "quorate": 1 },
                    "nodelist": {
                      "alpha": { "id": 1, "online": 1, "ip": "192.0.2.1"},
                      "beta": { "id": 2, "online": 1, "ip": "192.0.2.2"}
                      }
                    }
                    """);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private final FakeProxmox pveAlpha = new FakeProxmox(alpha).noStorages()
            .storage("local", "dir", "active", "/alpha/var/lib/vz").vm(100, VM);
    private final FakeProxmox pveBeta = new FakeProxmox(beta).noStorages()
            .storage("local", "dir", "active", "/beta/var/lib/vz");

    /** The command line on {@code node}: its roots, the shared pmxcfs. */
    private static String[] on(FakeKernel node, String... args) {
        String root = node.rootDir();
        List<String> all = new ArrayList<>(List.of("--pmxcfs", PVE, "--configfs", root + FakeKernel.CONFIGFS,
                "--sysfs", root + "/sys", "--procfs", root + "/proc", "--devfs", root + "/dev", "--lock-file",
                root + "/run/lock/pve-usb-gadget.lock"));
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }

    private Path path(String name) {
        return alpha.path(name);
    }

    private String gadgetAttribute(FakeKernel node, String attribute) throws IOException {
        return Files.readString(path(node.rootDir() + FakeKernel.CONFIGFS + "/usb_gadget/pve-usb-gadget-100/"
                + attribute)).strip();
    }

    /** What {@code qm migrate} (offline) or HA's {@code steal_service} does: the VM's config moves to beta. */
    private void moveVmToBeta() throws IOException {
        Map<String, String> config = new TreeMap<>(pveAlpha.vmConfig(100));
        pveBeta.vm(100, config.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                .collect(Collectors.joining("\n")));
        Files.move(path(PVE + "/nodes/alpha/qemu-server/100.conf"), path(PVE + "/nodes/beta/qemu-server/100.conf"));
    }

    private void mirrorVmConfigToPmxcfs() throws IOException {
        Files.writeString(path(PVE + "/nodes/alpha/qemu-server/100.conf"), new TreeMap<>(pveAlpha.vmConfig(100))
                .entrySet().stream().map(e -> e.getKey() + ": " + e.getValue() + "\n").collect(Collectors.joining()));
    }

    @Test
    void aVmAttachedOnAlphaStartsOnBetaWithTheSameDrive() throws Exception {
        Files.createDirectories(path("/shared"));
        Files.write(path("/shared/100.img"), new byte[1 << 16]);
        CliRun attach = pveAlpha.run(on(alpha, "attach", "100", "--image", "/shared/100.img"));
        assertThat(attach.exitCode()).as(attach.toString()).isZero();
        String conf = Files.readString(path(PVE + "/pve-usb-gadget/100.conf"));
        String serial = conf.lines().filter(l -> l.startsWith("serial = ")).findFirst().orElseThrow().substring(9);
        mirrorVmConfigToPmxcfs();

        moveVmToBeta();
        CliRun up = pveBeta.run(on(beta, "hook", "100", "pre-start"));
        assertThat(up.exitCode()).as(up.toString()).isZero();
        assertThat(gadgetAttribute(beta, "idVendor")).isEqualTo("0x1d6b");
        assertThat(gadgetAttribute(beta, "idProduct")).isEqualTo("0x4000");
        assertThat(gadgetAttribute(beta, "strings/0x409/serialnumber")).isEqualTo(serial);
        assertThat(Files.exists(path("/alpha" + FakeKernel.CONFIGFS + "/usb_gadget/pve-usb-gadget-100"))).isFalse();
        CliRun guidAlpha = pveAlpha.run(on(alpha, "guid", "100"));
        CliRun guidBeta = pveBeta.run(on(beta, "guid", "100"));
        assertThat(guidBeta.out()).isEqualTo(guidAlpha.out()).startsWith("1D6B-4000-");
        assertThat(pveBeta.run(on(beta, "hook", "100", "post-stop")).exitCode()).isZero();
        assertThat(Files.exists(path("/beta" + FakeKernel.CONFIGFS + "/usb_gadget/pve-usb-gadget-100"))).isFalse();
    }

    @Test
    void idsStayUniqueAcrossNodesAndTheClusterLockIsHonoured() throws Exception {
        CliRun first = pveAlpha.run(on(alpha, "init", "200", "--image", "/shared/200.img"));
        assertThat(first.exitCode()).as(first.toString()).isZero();
        Path lock = path(PVE + "/priv/lock/pve-usb-gadget-ids");
        Files.createDirectories(lock); // another node holds the cluster lock
        CliRun blocked = pveBeta.run(on(beta, "init", "201", "--image", "/shared/201.img"));
        assertThat(blocked.exitCode()).isEqualTo(1);
        assertThat(blocked.err()).contains("held the cluster lock " + lock);
        assertThat(Files.exists(path(PVE + "/pve-usb-gadget/201.conf"))).isFalse();
        Files.delete(lock);
        CliRun second = pveBeta.run(on(beta, "init", "201", "--image", "/shared/201.img"));
        assertThat(second.exitCode()).as(second.toString()).isZero();
        String a = Files.readString(path(PVE + "/pve-usb-gadget/200.conf"));
        String b = Files.readString(path(PVE + "/pve-usb-gadget/201.conf"));
        assertThat(a).contains("product_id = 0x4000");
        assertThat(b).contains("product_id = 0x4001");
        assertThat(serialOf(a)).isNotEqualTo(serialOf(b));
        CliRun duplicate = pveBeta.run(on(beta, "init", "202", "--image", "/shared/202.img", "--product-id",
                "0x4000"));
        assertThat(duplicate.exitCode()).isEqualTo(1);
        assertThat(duplicate.err()).contains("VID:PID 1d6b:4000 (also VM 200's)");
    }

    private static String serialOf(String conf) {
        return conf.lines().filter(l -> l.startsWith("serial = ")).findFirst().orElseThrow();
    }

    @Test
    void checkSaysPerNodeWhatIsMissingFromEachNodesOwnReport() throws Exception {
        Files.createDirectories(path("/shared"));
        Files.write(path("/shared/100.img"), new byte[1 << 16]);
        assertThat(pveAlpha.run(on(alpha, "attach", "100", "--image", "/shared/100.img")).exitCode()).isZero();
        mirrorVmConfigToPmxcfs();

        CliRun noReport = pveAlpha.run(on(alpha, "check", "100"));
        assertThat(noReport.exitCode()).as(noReport.toString()).isEqualTo(1);
        assertThat(noReport.out()).contains("ok    node alpha: report for the other nodes written to "
                + PVE + "/nodes/alpha/pve-usb-gadget.json", "FAIL  node beta: VM 100: no report from pve-usb-gadget "
                + "there", "install the package on beta and run 'pve-usb-gadget check' there");

        beta.withoutModule("dummy_hcd", "6.8.12-4-pve");
        CliRun onBeta = pveBeta.run(on(beta, "check"));
        assertThat(onBeta.out()).contains("skip  VM 100: on node alpha", "ok    node alpha: can start VM 100");
        CliRun lacking = pveAlpha.run(on(alpha, "check", "100"));
        assertThat(lacking.exitCode()).isEqualTo(1);
        assertThat(lacking.out()).containsPattern("FAIL  node beta: cannot start VM 100 \\(pve-usb-gadget .*, reported "
                + ".*\\): kernel module dummy_hcd: .*; no executable hookscript local:snippets/pve-usb-gadget-hook "
                + "\\(run there: install -D -m 755 /usr/share/pve-usb-gadget/pve-usb-gadget-hook "
                + "/alpha/var/lib/vz/snippets/pve-usb-gadget-hook\\)");

        beta.withModule("dummy_hcd");
        Path shim = path("/beta/var/lib/vz/snippets/pve-usb-gadget-hook");
        Files.createDirectories(shim.getParent());
        Files.copy(path("/alpha/var/lib/vz/snippets/pve-usb-gadget-hook"), shim);
        Files.setPosixFilePermissions(shim, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        pveBeta.run(on(beta, "check"));
        CliRun ready = pveAlpha.run(on(alpha, "check", "100"));
        assertThat(ready.out()).contains("ok    node beta: can start VM 100");
        assertThat(ready.exitCode()).as(ready.toString()).isZero();
    }
}
