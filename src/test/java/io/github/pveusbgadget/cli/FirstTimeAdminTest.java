package io.github.pveusbgadget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pveusbgadget.testing.CliRun;
import io.github.pveusbgadget.testing.FakeKernel;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What a first-time admin trips over (issue 14): messages name what was typed, exit codes are PRODUCT.md's. */
class FirstTimeAdminTest {
    private final FakeKernel kernel = new FakeKernel();

    private CliRun run(String... args) {
        return CliRun.run(kernel, args);
    }

    private void vm100() {
        kernel.vm100();
    }

    @Test
    void initRefusesADirectoryAsImage() throws Exception {
        Files.createDirectories(kernel.path("/images/dir"));
        CliRun run = run("init", "104", "--image", "/images/dir");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err().strip()).isEqualTo("pve-usb-gadget: --image /images/dir is a directory; give an image "
                + "file or block device (create one with 'pve-usb-gadget image create')");
        assertThat(Files.exists(kernel.path(FakeKernel.CONFIG_DIR + "/104.conf"))).isFalse();
        assertThat(run("attach", "104", "--image", "/images/dir").err()).contains("--image /images/dir is a directory");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--image|nope.img|--image: 'nope.img' is not an absolute path",
        "--serial|ab-cd|--serial: 'ab-cd' must be 1 to 126 characters of 0-9, A-Z, a-z",
        "--product-id|0x10000|--product-id: '0x10000' is too large: USB ids are 16-bit, at most 0xffff",
        "--vendor-id|1d6b|--vendor-id: '1d6b' is not a hex id like 0x1d6b"})
    void initNamesTheOptionNotAFileThatDoesNotExistAndChecksItBeforeTheExistingConfig(String option, String value,
                                                                                       String message) {
        vm100();
        String[] args = option.equals("--image") ? new String[] {"init", "100", option, value}
                : new String[] {"init", "100", "--image", "/images/100.img", option, value};
        CliRun run = run(args);
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err().strip()).isEqualTo("pve-usb-gadget: " + message);
        assertThat(run.err()).doesNotContain(".conf");
    }

    @Test
    void statusOfAVmWithoutConfigIsExitTwoWithOneLine() {
        CliRun run = run("status", "101");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().strip()).isEqualTo("pve-usb-gadget: VM 101 has no config " + FakeKernel.CONFIG_DIR
                + "/101.conf and no gadget; create it with 'pve-usb-gadget init 101 --image PATH'");
    }

    @Test
    void statusOfABrokenConfigShowsItAndExitsTwo() {
        vm100();
        kernel.config(101, "image = relative\nproduct_id = 0x4001\nserial = B\n");
        CliRun run = run("status");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.out()).contains("config-error").contains("VM 101: ");
        assertThat(run("status", "100").exitCode()).isZero();
    }

    @ParameterizedTest
    @CsvSource({"--config-dir,status", "--configfs,up", "--sysfs,check"})
    void aDirectoryOptionNamingAFileIsExitTwoWithOneLine(String option, String command) throws Exception {
        vm100();
        Files.createDirectories(kernel.path("/tmp"));
        Files.writeString(kernel.path("/tmp/plain"), "x");
        String[] args = command.equals("up") ? new String[] {command, "100", "--dry-run", option, "/tmp/plain"}
                : new String[] {command, option, "/tmp/plain"};
        CliRun run = run(args);
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().strip()).isEqualTo("pve-usb-gadget: " + option + " /tmp/plain is not a directory");
    }

    @Test
    void statusJsonEndsWithANewline() {
        assertThat(run("status", "--json").out()).isEqualTo("[ ]\n");
        vm100();
        assertThat(run("status", "--json").out()).endsWith("} ]\n");
    }

    @Test
    void usageErrorsHaveOnePrefixAndHelpIsACommand() {
        CliRun group = run("image", "create", "-o", "/images/x.img");
        assertThat(group.exitCode()).isEqualTo(2);
        assertThat(group.err()).startsWith("pve-usb-gadget: Missing required argument").doesNotContain("Error:");
        CliRun help = run("help");
        assertThat(help.exitCode()).as(help.toString()).isZero();
        assertThat(help.out()).contains("Usage: pve-usb-gadget", "status", "image");
        CliRun helpInit = run("help", "init");
        assertThat(helpInit.exitCode()).as(helpInit.toString()).isZero();
        assertThat(helpInit.out()).startsWith("Usage: pve-usb-gadget init").contains("--vendor-id");
    }

    @Test
    void imageHelpOffersOnlyWhatImageUses() {
        for (String[] args : new String[][] {{"image", "--help"}, {"image", "create", "--help"}}) {
            CliRun help = run(args);
            assertThat(help.out()).as(String.join(" ", args)).doesNotContain("--config-dir", "--configfs", "--sysfs",
                    "-o=IMG");
        }
        assertThat(run("image", "create", "--help").out()).contains("-o IMG (--zip FILE | --version V | --latest)",
                "unzip");
    }

    @Test
    void checkMarksWhatItDidNotCheckAsSkipped() {
        vm100();
        CliRun check = run("check", "100");
        assertThat(check.out()).contains("skip  VM 100: Proxmox VM config not checked (no 'qm' on this host)")
                .doesNotContain("ok    VM 100: Proxmox VM config not checked");
        assertThat(check.exitCode()).isZero();
    }

    @Test
    void theNoOpHookPhasesDryRunSaysNothingToDo() {
        vm100();
        CliRun run = run("hook", "100", "post-start", "--dry-run");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("# nothing to do\n").isEqualTo(run("hook", "100", "pre-stop", "--dry-run").out()
                .replace("pre-stop", "post-start"));
    }

    @Test
    void theMissingConfigHintNamesTheVm() {
        CliRun run = run("up", "107");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("create it with 'pve-usb-gadget init 107 --image PATH'");
    }
}
