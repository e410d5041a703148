package io.github.pveusbgadget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pveusbgadget.testing.CliRun;
import io.github.pveusbgadget.testing.FakeKernel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code status} for scripts (a pipe) and for a person (a terminal), from the same three VMs. */
class StatusTableTest {
    private final FakeKernel kernel = new FakeKernel();

    private CliRun run(String... args) {
        return CliRun.run(kernel, args);
    }

    /** VM 100 up, 101 down with a long image path, 102 with a config that is not usable. */
    @BeforeEach
    void threeVms() {
        kernel.vm100();
        try {
            java.nio.file.Files.createDirectories(kernel.path("/images/a-rather-long-directory-name/of-images"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        kernel.image("a-rather-long-directory-name/of-images/vm-101-unraid-flash.img", 4096);
        kernel.config(101, "image = /images/a-rather-long-directory-name/of-images/vm-101-unraid-flash.img\n"
                + "product_id = 0x4001\nserial = 3C53060DC39DDDA5\n");
        kernel.config(102, "image = relative.img\nproduct_id = 0x4002\nserial = B\n");
        assertThat(run("up", "100").exitCode()).isZero();
    }

    @Test
    void offATerminalTheTableIsTheStablePlainForm() {
        CliRun run = run("status");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEqualTo(String.join("\n",
                "VMID  STATE         UDC          IMAGE                                                             "
                        + "      VID:PID    SERIAL            UNRAID GUID                  HOST DEVICE",
                "100   up            dummy_udc.0  /images/100.img                                                   "
                        + "      1d6b:4000  abc               1D6B-4000-0000-000000000ABC  1-1 sdb",
                "101   down          -            /images/a-rather-long-directory-name/of-images/vm-101-unraid-flash"
                        + ".img  1d6b:4001  3C53060DC39DDDA5  1D6B-4001-3C53-060DC39DDDA5  -",
                "102   config-error  -            -                                                                 "
                        + "      -          -                 -                            -",
                "VM 102: " + FakeKernel.CONFIG_DIR + "/102.conf:1: image: 'relative.img' is not an absolute path",
                ""));
    }

    @Test
    void onAWideTerminalTheGuidComesFirstTheImageLastAndProblemsUnderTheirVm() {
        kernel.console(true).variable("COLUMNS", "200");
        CliRun run = run("status");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEqualTo(String.join("\n",
                "VMID  STATE         UNRAID GUID                  VID:PID    SERIAL            UDC          HOST DEVICE"
                        + "  IMAGE",
                "----  ------------  ---------------------------  ---------  ----------------  -----------  -----------"
                        + "  " + "-".repeat(70),
                "100   up            1D6B-4000-0000-000000000ABC  1d6b:4000  abc               dummy_udc.0  1-1 sdb    "
                        + "  /images/100.img",
                "101   down          1D6B-4001-3C53-060DC39DDDA5  1d6b:4001  3C53060DC39DDDA5  -            -          "
                        + "  /images/a-rather-long-directory-name/of-images/vm-101-unraid-flash.img",
                "102   config-error  -                            -          -                 -            -          "
                        + "  -",
                "      ! " + FakeKernel.CONFIG_DIR + "/102.conf:1: image: 'relative.img' is not an absolute path",
                ""));
    }

    @Test
    void onANarrowerTerminalLongImagePathsAreShortenedInTheMiddle() {
        kernel.console(true).variable("COLUMNS", "132");
        String out = run("status").out();
        assertThat(out.lines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(132))
                .anySatisfy(line -> assertThat(line).startsWith("101   down").endsWith(
                        "  -            -            /.../vm-101-unraid-flash.img"))
                .anySatisfy(line -> assertThat(line).endsWith("  1-1 sdb      /images/100.img"));
    }

    @Test
    void onATerminalTooNarrowForTheTableEachVmIsABlock() {
        kernel.console(true).variable("COLUMNS", "80");
        CliRun run = run("status");
        assertThat(run.out().lines().filter(line -> !line.startsWith("  image "))).as("an image path is not cut")
                .allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(80));
        assertThat(run.out()).startsWith(String.join("\n",
                "VM 100: up",
                "  unRAID GUID  1D6B-4000-0000-000000000ABC",
                "  VID:PID      1d6b:4000",
                "  serial       abc",
                "  UDC          dummy_udc.0",
                "  host device  1-1 sdb",
                "  image        /images/100.img",
                "",
                "VM 101: down",
                "  unRAID GUID  1D6B-4001-3C53-060DC39DDDA5"))
                .contains("VM 102: config-error\n  unRAID GUID  -\n")
                .endsWith("  image        -\n  ! " + FakeKernel.CONFIG_DIR + "/102.conf:1: image: 'relative.img' is "
                        + "not an absolute\n    path\n");
    }

    @Test
    void jsonIsTheSameOnATerminal() {
        String plain = run("status", "--json").out();
        kernel.console(true).variable("COLUMNS", "80");
        assertThat(run("status", "--json").out()).isEqualTo(plain).startsWith("[ {");
    }

    @Test
    void onATerminalNoVmSaysSoAndHowToStart() {
        FakeKernel empty = new FakeKernel().console(true);
        assertThat(CliRun.run(empty, "status").out()).isEqualTo("No VM has a config or a gadget; give one a drive "
                + "with 'pve-usb-gadget attach VMID --image PATH'.\n");
        assertThat(CliRun.run(empty.console(false), "status").out()).as("the plain form: its header")
                .isEqualTo("VMID  STATE  UDC  IMAGE  VID:PID  SERIAL  UNRAID GUID  HOST DEVICE\n");
    }

    @Test
    void aPathIsShortenedKeepingItsFileName() {
        assertThat(StatusTable.shorten("/var/lib/vz/images/100/unraid.img", 40)).isEqualTo(
                "/var/lib/vz/images/100/unraid.img");
        assertThat(StatusTable.shorten("/var/lib/vz/images/100/unraid.img", 24)).isEqualTo("/var/lib/v.../unraid.img")
                .hasSize(24);
    }
}
