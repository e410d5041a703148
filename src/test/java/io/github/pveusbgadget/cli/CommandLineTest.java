package io.github.pveusbgadget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pveusbgadget.testing.CliRun;
import io.github.pveusbgadget.testing.FakeKernel;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The command line's contract: phases, exit codes, one-line errors, and the read-only commands. */
class CommandLineTest {
    private final FakeKernel kernel = new FakeKernel();

    private CliRun run(String... args) {
        return CliRun.run(kernel, args);
    }

    private void vm100() {
        kernel.vm100();
    }

    @ParameterizedTest
    @ValueSource(strings = {"post-start", "pre-stop"})
    void noOpPhasesDoNothing(String phase) throws Exception {
        vm100();
        var before = kernel.snapshot("/");
        assertThat(run("hook", "100", phase).exitCode()).isZero();
        assertThat(kernel.snapshot("/")).isEqualTo(before);
        assertThat(kernel.commands()).isEmpty();
    }

    @Test
    void theTaskLogGoesToTheCommandsErrorStreamAtTheLevelItsOptionsSet() {
        vm100();
        CliRun up = run("up", "100");
        assertThat(up.err()).contains("load kernel module dummy_hcd\n").doesNotContain("DEBUG");
        CliRun down = run("down", "100", "-v");
        assertThat(down.err()).containsPattern("[0-9:.]{12} INFO  GadgetLifecycle: VM 100: gadget pve-usb-gadget-100 "
                + "removed");
        assertThat(run("--verbose", "status").err()).doesNotContain("INFO");
        assertThat(run("up", "100").err()).doesNotContain("DEBUG").doesNotContain("INFO ");
    }

    @Test
    void preStartIsUpAndPostStopIsDown() throws Exception {
        vm100();
        assertThat(run("hook", "100", "pre-start").exitCode()).isZero();
        assertThat(Files.exists(kernel.path(FakeKernel.CONFIGFS + "/usb_gadget/pve-usb-gadget-100/UDC"))).isTrue();
        assertThat(run("hook", "100", "post-stop").exitCode()).isZero();
        assertThat(Files.exists(kernel.path(FakeKernel.CONFIGFS + "/usb_gadget/pve-usb-gadget-100"))).isFalse();
    }

    @Test
    void anUnknownPhaseIsExitTwoWithAClearMessage() {
        CliRun run = run("hook", "100", "pre-migrate");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().strip()).isEqualTo("pve-usb-gadget: unknown hook phase 'pre-migrate'; Proxmox calls "
                + "pre-start, post-start, pre-stop or post-stop");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../1", "-1", "1e3", "0", "abc"})
    void aBadVmidIsExitTwoEverywhere(String vmid) {
        for (String[] args : new String[][] {{"hook", vmid, "pre-start"}, {"hook", vmid, "post-start"},
            {"up", vmid}, {"down", vmid}, {"guid", vmid}, {"init", vmid, "--image", "/x"}}) {
            CliRun run = run(args);
            assertThat(run.exitCode()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(run.err().lines().count()).as(run.toString()).isEqualTo(1);
            assertThat(run.err()).doesNotContain("Exception");
        }
    }

    @Test
    void badUsageIsExitTwo() {
        assertThat(run("hook", "100").exitCode()).isEqualTo(2);
        assertThat(run("frobnicate").exitCode()).isEqualTo(2);
        assertThat(run("up", "100", "--bogus").exitCode()).isEqualTo(2);
    }

    @Test
    void aConfigWritableByOthersIsRefusedWithExitTwo() throws Exception {
        vm100();
        Files.setPosixFilePermissions(kernel.path("/etc/pve-usb-gadget/100.conf"),
                PosixFilePermissions.fromString("rw-rw-rw-"));
        CliRun run = run("hook", "100", "pre-start");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("writable by group or others");
        assertThat(kernel.commands()).isEmpty();
    }

    @Test
    void globalOptionsWorkBeforeAndAfterTheCommand() throws Exception {
        Files.createDirectories(kernel.path("/other"));
        kernel.image("100.img", 4096);
        assertThat(run("--config-dir", "/other", "init", "100", "--image", "/images/100.img").exitCode()).isZero();
        assertThat(run("guid", "100", "--config-dir", "/other").exitCode()).isZero();
        assertThat(Files.exists(kernel.path("/other/100.conf"))).isTrue();
    }

    @Test
    void everySubcommandIsRegisteredUnderItsOwnName() {
        RootCommand.SUBCOMMANDS.forEach(name -> assertThat(RootCommand.newSubcommand(name).getClass()
                .getAnnotation(picocli.CommandLine.Command.class).name()).isEqualTo(name));
    }

    @Test
    void aCommandLineNamingACommandHasOnlyThatOneAndOneNamingNoneHasAll() {
        Environment environment = kernel.environment();
        assertThat(RootCommand.commandLine(environment, new String[] {"--config-dir", "up", "hook", "1", "pre-start"})
                .getSubcommands()).containsOnlyKeys("hook");
        assertThat(RootCommand.commandLine(environment, new String[] {"-v", "image", "create"}).getSubcommands())
                .containsOnlyKeys("image");
        assertThat(RootCommand.commandLine(environment, new String[] {"--help"}).getSubcommands().keySet())
                .containsExactlyElementsOf(RootCommand.SUBCOMMANDS);
        assertThat(RootCommand.commandLine(environment, new String[] {"frobnicate", "up"}).getSubcommands())
                .hasSameSizeAs(RootCommand.SUBCOMMANDS);
        assertThat(run("stauts").exitCode()).isEqualTo(2);
    }

    @Test
    void versionAndHelp() {
        assertThat(run("--version").out()).startsWith("pve-usb-gadget ");
        CliRun help = run("--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("hook", "up", "down", "status", "check", "init", "guid", "--config-dir",
                "--configfs", "--sysfs", "--verbose");
    }

    @Test
    void initWritesAFreshIdentityUniqueOnTheHostAndNeverOverwrites() throws Exception {
        kernel.image("100.img", 4096);
        kernel.image("101.img", 4096);
        assertThat(run("init", "100", "--image", "/images/100.img").exitCode()).isZero();
        assertThat(run("init", "101", "--image", "/images/101.img").exitCode()).isZero();
        String first = Files.readString(kernel.path("/etc/pve-usb-gadget/100.conf"));
        String second = Files.readString(kernel.path("/etc/pve-usb-gadget/101.conf"));
        assertThat(first).contains("product_id = 0x4000").containsPattern("serial = [0-9A-F]{16}\n");
        assertThat(second).contains("product_id = 0x4001");
        CliRun again = run("init", "100", "--image", "/images/100.img");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).contains("already exists").contains("--force");
        assertThat(Files.readString(kernel.path("/etc/pve-usb-gadget/100.conf"))).isEqualTo(first);
        assertThat(run("init", "100", "--image", "/images/100.img", "--force").exitCode()).isZero();
        assertThat(Files.readString(kernel.path("/etc/pve-usb-gadget/100.conf"))).isNotEqualTo(first);
        assertThat(run("up", "100").exitCode()).isZero();
    }

    @Test
    void initSkipsIdsOfHostDevicesAndRefusesBadOptions() throws Exception {
        kernel.physicalUsbDevice("9-1", "1d6b", "4000");
        assertThat(run("init", "100", "--image", "/images/100.img").exitCode()).isZero();
        assertThat(Files.readString(kernel.path("/etc/pve-usb-gadget/100.conf"))).contains("product_id = 0x4001");
        CliRun bad = run("init", "101", "--image", "relative.img");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("--image: 'relative.img' is not an absolute path");
        assertThat(Files.exists(kernel.path("/etc/pve-usb-gadget/101.conf"))).isFalse();
        CliRun dry = run("init", "102", "--image", "/images/x.img", "--dry-run", "--serial", "XYZ");
        assertThat(dry.out()).contains("cat > /etc/pve-usb-gadget/102.conf <<'EOF'", "serial = XYZ", "chmod 600");
        assertThat(Files.exists(kernel.path("/etc/pve-usb-gadget/102.conf"))).isFalse();
    }

    @Test
    void guidPrintsTheUnraidGuid() {
        vm100();
        assertThat(run("guid", "100").out()).isEqualTo("1D6B-4000-0000-000000000ABC\n");
    }

    @Test
    void statusShowsEveryVmAsTableAndJson() {
        vm100();
        kernel.image("101.img", 4096);
        kernel.config(101, "image = /images/101.img\nproduct_id = 0x4001\nserial = DEF\n");
        run("up", "100");
        CliRun table = run("status");
        assertThat(table.out().lines().toList()).hasSize(3);
        assertThat(table.out()).contains("VMID", "UNRAID GUID", "HOST DEVICE");
        assertThat(table.out().lines().filter(l -> l.startsWith("100")).findFirst().orElseThrow())
                .contains("up", "dummy_udc.0", "/images/100.img", "1d6b:4000", "1D6B-4000-0000-000000000ABC",
                        "1-1 sdb");
        assertThat(table.out().lines().filter(l -> l.startsWith("101")).findFirst().orElseThrow()).contains("down");
        CliRun json = run("status", "--json", "100");
        assertThat(json.out()).contains("\"vmid\" : 100", "\"state\" : \"up\"", "\"udc\" : \"dummy_udc.0\"",
                "\"usb_id\" : \"1d6b:4000\"", "\"host_device\" : \"1-1 sdb\"").doesNotContain("101");
    }

    @Test
    void checkSaysWhatToFix() throws Exception {
        vm100();
        kernel.config(101, "image = /images/missing.img\nproduct_id = 0x4001\nserial = DEF\n");
        kernel.config(102, "image = /images/100.img\nproduct_id = 0x4002\nserial = 1\ncolour = red\n");
        CliRun run = run("check");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).contains("ok    VM 100: image /images/100.img usable")
                .contains("FAIL  VM 101: image /images/missing.img does not exist")
                .contains("FAIL  VM 102: config: /etc/pve-usb-gadget/102.conf:4: colour: unknown key");
        assertThat(run("check", "100").exitCode()).isZero();
    }
}
