package io.github.pveusbgadget.module;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pveusbgadget.testing.CliRun;
import java.time.Duration;
import java.util.List;
import org.apache.commons.io.file.PathUtils;
import org.junit.jupiter.api.Test;

/** {@code module status} and {@code module build} through the command line, on an in-memory host. */
class ModuleCommandTest {
    private static final String BUILD_68 = "dkms build -m pve-usb-gadget-dummy-hcd -v 1.0 -k 6.8.12-4-pve --force";
    private static final String INSTALL_68 = "dkms install -m pve-usb-gadget-dummy-hcd -v 1.0 -k 6.8.12-4-pve --force";

    /** A Proxmox VE 8 host after a kernel upgrade: the old kernel has our module, the new one and its headers not. */
    private static ModuleHost proxmox() {
        return new ModuleHost().running("6.8.12-4-pve")
                .kernel("6.8.12-4-pve", true).versionHeader("6.8.12-4-pve", 6, 8, 12)
                .installed("6.8.12-4-pve", "/usr/src/linux-source-6.8.tar.xz")
                .kernel("6.14.8-2-pve", false)
                .kernel("6.17.2-1-pve", true).versionHeader("6.17.2-1-pve", 6, 17, 2)
                .write("/var/cache/pve-usb-gadget-dummy-hcd/v6.17.2/dummy_hcd.c", ModuleHost.DUMMY_HCD_C)
                .answer("dkms status", 0, "pve-usb-gadget-dummy-hcd/1.0, 6.8.12-4-pve, x86_64: installed\n")
                .answer("modinfo -F pvug_source", 0, "dummy_hcd.c from linux-source-6.8.tar.xz Linux 6.8.12 exact "
                        + "sha256:0123456789abcdef\n");
    }

    @Test
    void statusShowsEveryKernelWithItsHeadersModuleSourceAndWhatToRun() {
        CliRun run = proxmox().run("module", "status");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains(
                "kernel 6.8.12-4-pve (running): Linux 6.8.12 (from its headers)\n"
                        + "  headers:    /lib/modules/6.8.12-4-pve/build (proxmox-headers-6.8.12-4-pve)\n"
                        + "  dummy_hcd:  /lib/modules/6.8.12-4-pve/updates/dkms/dummy_hcd.ko.xz "
                        + "(DKMS pve-usb-gadget-dummy-hcd/1.0: installed)\n"
                        + "  built from: dummy_hcd.c from linux-source-6.8.tar.xz Linux 6.8.12 exact sha256:0123456789abcdef\n",
                "kernel 6.14.8-2-pve: Linux 6.14.8 (from its name)\n"
                        + "  headers:    missing: apt install proxmox-headers-6.14.8-2-pve\n"
                        + "  dummy_hcd:  missing (not built by DKMS)\n",
                "  to do:      apt install proxmox-headers-6.14.8-2-pve (its hook then builds dummy_hcd; by hand: dkms "
                        + "install pve-usb-gadget-dummy-hcd/1.0 -k 6.14.8-2-pve)\n",
                "kernel 6.17.2-1-pve: Linux 6.17.2 (from its headers)\n",
                "  next build: cache /var/cache/pve-usb-gadget-dummy-hcd/v6.17.2/dummy_hcd.c\n"
                        + "  to do:      pve-usb-gadget module build --kernel 6.17.2-1-pve; it would use cache "
                        + "/var/cache/pve-usb-gadget-dummy-hcd/v6.17.2/dummy_hcd.c\n");
        assertThat(run.out().indexOf("kernel 6.8.12")).isLessThan(run.out().indexOf("kernel 6.14.8"));
        assertThat(run.out().indexOf("kernel 6.14.8")).isLessThan(run.out().indexOf("kernel 6.17.2"));
    }

    @Test
    void statusJsonHasEveryKernelWithTheSameFactsAndExitCode() {
        CliRun run = proxmox().run("module", "status", "--json");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.out()).startsWith("[ {\n  \"kernel\" : \"6.8.12-4-pve\",\n  \"running\" : true,\n")
                .endsWith("} ]\n").contains(
                "  \"kernel\" : \"6.14.8-2-pve\",\n  \"running\" : false,\n  \"kernel_installed\" : true,\n"
                        + "  \"linux\" : \"6.14.8\",\n  \"linux_from\" : \"name\",\n  \"headers\" : false,\n"
                        + "  \"headers_package\" : \"proxmox-headers-6.14.8-2-pve\",\n  \"dummy_hcd\" : \"missing\",\n"
                        + "  \"module\" : \"\",\n  \"dkms_state\" : \"\",\n  \"built_from\" : \"\",\n",
                "  \"dummy_hcd\" : \"dkms\",\n  \"module\" : \"/lib/modules/6.8.12-4-pve/updates/dkms/dummy_hcd.ko.xz\",\n"
                        + "  \"dkms_state\" : \"installed\",\n  \"built_from\" : \"dummy_hcd.c from "
                        + "linux-source-6.8.tar.xz Linux 6.8.12 exact sha256:0123456789abcdef\",\n",
                "  \"todo\" : \"pve-usb-gadget module build --kernel 6.17.2-1-pve; it would use cache "
                        + "/var/cache/pve-usb-gadget-dummy-hcd/v6.17.2/dummy_hcd.c\"\n");
        CliRun missing = proxmox().running("6.17.2-1-pve").run("module", "status", "--json", "--kernel",
                "6.17.2-1-pve");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.out()).contains("\"dummy_hcd\" : \"missing\"").doesNotContain("6.8.12");
        CliRun none = new ModuleHost().run("module", "status", "--json");
        assertThat(none.exitCode()).isEqualTo(1);
        assertThat(none.out()).isEqualTo("[ ]\n");
        assertThat(none.err()).as(none.toString()).startsWith("pve-usb-gadget: no kernel in ");
    }

    @Test
    void withoutATaggedModuleTheSourceComesFromTheDkmsBuildLog() {
        CliRun run = proxmox().answer("modinfo", 1, "modinfo: ERROR: could not read").run("module", "status",
                "--kernel", "6.8.12-4-pve");
        assertThat(run.out()).contains("  built from: /usr/src/linux-source-6.8.tar.xz (Linux 6.8.12, exact; "
                + ModuleHost.DKMS_TREE + "/6.8.12-4-pve/x86_64/log/make.log)");
    }

    @Test
    void theRunningKernelWithoutDummyHcdFailsTheStatusAndSaysWhatToRun() {
        CliRun run = proxmox().running("6.17.2-1-pve").run("module", "status");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("kernel 6.17.2-1-pve (running)");
    }

    @Test
    void aDebianNameHidesTheSublevelUntilTheHeadersSayIt() {
        ModuleHost host = new ModuleHost().running("6.12.57+deb12-amd64").kernel("6.12.57+deb12-amd64", true)
                .kernel("6.1.0-41-amd64", false).variable("DUMMY_HCD_OFFLINE", "1");
        CliRun run = host.run("module", "status", "--kernel", "6.1.0-41-amd64");
        assertThat(run.out()).contains("kernel 6.1.0-41-amd64: Linux 6.1.x (from its name); the name does not say "
                        + "the sublevel, its headers would",
                "  next build: none: no DUMMY_HCD_SOURCE, no /usr/src/linux-source-6.1.tar.*, no "
                        + "/var/cache/pve-usb-gadget-dummy-hcd/v6.1/dummy_hcd.c, downloads off",
                "  to do:      apt install linux-headers-6.1.0-41-amd64, then pve-usb-gadget module build --kernel "
                        + "6.1.0-41-amd64 --source /path/to/dummy_hcd.c|linux-6.1.N.tar.xz (no dummy_hcd.c source at "
                        + "hand; or apt install linux-source-6.1 where the distribution has it)");
        host.headers("6.1.0-41-amd64").versionHeader("6.1.0-41-amd64", 6, 1, 158)
                .write("/usr/src/linux-source-6.1.tar.xz", "xz");
        run = host.run("module", "status", "--kernel", "6.1.0-41-amd64");
        assertThat(run.out()).contains("kernel 6.1.0-41-amd64: Linux 6.1.158 (from its headers)\n",
                "  next build: /usr/src/linux-source-6.1.tar.xz, if it holds drivers/usb/gadget/udc/dummy_hcd.c\n",
                "  to do:      pve-usb-gadget module build --kernel 6.1.0-41-amd64; it would use /usr/src/linux-source"
                        + "-6.1.tar.xz, if it holds");
    }

    @Test
    void theAdminsSettingsFileAndTheEnvironmentSteerThePrediction() {
        ModuleHost host = proxmox().write("/etc/default/pve-usb-gadget-dummy-hcd",
                "# ours\nDUMMY_HCD_SOURCE=\"/root/dummy_hcd.c\"\n").write("/root/dummy_hcd.c", ModuleHost.DUMMY_HCD_C);
        assertThat(host.run("module", "status", "--kernel", "6.17.2-1-pve").out())
                .contains("  next build: DUMMY_HCD_SOURCE file /root/dummy_hcd.c\n");
        host.variable("DUMMY_HCD_SOURCE", "/nowhere/linux-6.17.2.tar.xz");
        assertThat(host.run("module", "status", "--kernel", "6.17.2-1-pve").out()).contains(
                "  next build: DUMMY_HCD_SOURCE=/nowhere/linux-6.17.2.tar.xz does not exist");
    }

    @Test
    void buildDryRunPrintsTheDkmsStepsWithTheSourceAndRunsNothing() {
        ModuleHost host = proxmox().write("/root/linux-6.8.12.tar.xz", "xz");
        CliRun run = host.run("module", "build", "--kernel", "6.8.12-4-pve", "--source", "/root/linux-6.8.12.tar.xz",
                "--dry-run");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).isEqualTo("#!/bin/sh\n"
                + "# pve-usb-gadget module build --kernel 6.8.12-4-pve (dry run): the steps it would take\n"
                + "# kernel 6.8.12-4-pve is Linux 6.8.12 (from its headers)\n"
                + "# source: --source tarball /root/linux-6.8.12.tar.xz\n"
                + "set -eu\n"
                + "timeout 900 env DUMMY_HCD_SOURCE=/root/linux-6.8.12.tar.xz " + BUILD_68 + "\n"
                + "timeout 300 " + INSTALL_68 + "\n");
        assertThat(host.changes()).isEmpty();
    }

    @Test
    void buildRunsDkmsBuildThenInstallForTheRunningKernelWithTheTimeout() {
        ModuleHost host = proxmox().write("/root/dummy_hcd.c", ModuleHost.DUMMY_HCD_C)
                .answer("dkms build", 0, "Building module:\nDone.\n").answer("dkms install", 0, "dummy_hcd.ko.xz:\n");
        CliRun run = host.run("module", "build", "--source", "/root/dummy_hcd.c", "--timeout", "1200");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        String build = "timeout 1200 env DUMMY_HCD_SOURCE=/root/dummy_hcd.c " + BUILD_68;
        assertThat(host.changes()).containsExactly(build, "timeout 300 " + INSTALL_68);
        // timeout stops the build's whole process group; the runner's own limit comes a minute later
        assertThat(host.timeouts.get(host.commands.indexOf(build))).isEqualTo(Duration.ofSeconds(1260));
        assertThat(run.out()).contains("kernel 6.8.12-4-pve (running)", "updates/dkms/dummy_hcd.ko.xz");
    }

    @Test
    void aBuildForAKernelOfWhichOnlyTheHeadersAreInstalledSucceeds() {
        // a kernel upgrade's headers configured before its image: the build is what was asked, and it worked
        ModuleHost host = proxmox().mkdirs("/lib/modules/7.3.4+deb13-amd64").headers("7.3.4+deb13-amd64").versionHeader("7.3.4+deb13-amd64", 7, 3, 4)
                .write("/root/linux-source-7.3.tar.xz", "xz").installed("7.3.4+deb13-amd64", "linux-source-7.3.tar.xz")
                .answer("dkms build", 0, "").answer("dkms install", 0, "");
        CliRun run = host.run("module", "build", "--kernel", "7.3.4+deb13-amd64", "--source",
                "/root/linux-source-7.3.tar.xz");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("kernel 7.3.4+deb13-amd64: Linux 7.3.4 (from its headers); only headers are "
                + "installed, not the kernel", "  dummy_hcd:  /lib/modules/7.3.4+deb13-amd64/updates/dkms/dummy_hcd.ko.xz");
    }

    @Test
    void aModuleNotYetAddedToDkmsIsAddedFirst() throws Exception {
        ModuleHost host = proxmox().answer("dkms", 0, "");
        PathUtils.deleteDirectory(host.path("/var/lib/dkms"));
        CliRun run = host.run("module", "build", "--kernel", "6.17.2-1-pve");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(host.changes()).containsExactly("timeout 300 dkms add -m pve-usb-gadget-dummy-hcd -v 1.0",
                "timeout 900 dkms build -m pve-usb-gadget-dummy-hcd -v 1.0 -k 6.17.2-1-pve --force",
                "timeout 300 dkms install -m pve-usb-gadget-dummy-hcd -v 1.0 -k 6.17.2-1-pve --force");
        assertThat(run.out()).contains("  dummy_hcd:  /lib/modules/6.17.2-1-pve/updates/dkms/dummy_hcd.ko.xz");
    }

    @Test
    void aFailedBuildNamesTheLogAndTheCommandThatGivesASource() {
        ModuleHost host = proxmox().answer("dkms build", 10, "Running the pre_build script:\n"
                + "prepare-source.sh: error: no dummy_hcd.c source found for kernel 6.17.2-1-pve (upstream 6.17.2). "
                + "Tried:\n    cache /var/cache/x\nError! Bad return status for module build on kernel: 6.17.2-1-pve "
                + "(x86_64)\nConsult /var/lib/dkms/pve-usb-gadget-dummy-hcd/1.0/build/make.log for more information.\n");
        CliRun run = host.run("module", "build", "--kernel", "6.17.2-1-pve");
        assertThat(run.exitCode()).isEqualTo(1);
        // The task log goes to the same stream: the error is its last line, and one line.
        assertThat(CliRun.errorLines(run)).containsExactly("pve-usb-gadget: dkms build for kernel "
                + "6.17.2-1-pve failed (exit 10): no usable dummy_hcd.c source: no dummy_hcd.c source found for "
                + "kernel 6.17.2-1-pve (upstream 6.17.2). Tried:; build log: /var/lib/dkms/pve-usb-gadget-dummy-hcd"
                + "/1.0/build/make.log; give the source yourself: pve-usb-gadget module build --kernel 6.17.2-1-pve "
                + "--source /path/to/dummy_hcd.c|linux-6.17.N.tar.xz");
        assertThat(host.changes()).noneMatch(c -> c.contains("dkms install"));
    }

    @Test
    void aBuildThatRunsPastItsTimeoutIsStoppedAndSaysSo() {
        // coreutils timeout's exit 124, and the runner's own limit
        for (ModuleHost host : List.of(proxmox().answer("dkms build", 124, ""), proxmox().timesOut("dkms build"))) {
            CliRun run = host.run("module", "build", "--timeout", "5");
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err()).contains("dkms build for kernel 6.8.12-4-pve did not finish within 5 s and was "
                    + "stopped; see /var/lib/dkms/pve-usb-gadget-dummy-hcd/1.0/build/make.log and run it again with a "
                    + "longer --timeout");
        }
    }

    @Test
    void dkmsWithoutRootSaysSo() {
        CliRun run = proxmox().answer("dkms build", 1, "Error! You must be root to use this command.\n")
                .run("module", "build");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("dkms build for kernel 6.8.12-4-pve needs root: run it as root");
    }

    @Test
    void whatCannotWorkIsRefusedBeforeAnythingRuns() {
        ModuleHost host = proxmox().write("/root/notes.txt", "hello").variable("DUMMY_HCD_OFFLINE", "1");
        assertRefused(host, 1, "pve-usb-gadget: no headers for kernel 6.14.8-2-pve (/lib/modules/6.14.8-2-pve/build "
                + "is missing): apt install proxmox-headers-6.14.8-2-pve, then run this again",
                "module", "build", "--kernel", "6.14.8-2-pve");
        assertRefused(host, 2, "pve-usb-gadget: kernel 6.99.1-1-pve is not installed (no /lib/modules/6.99.1-1-pve); "
                + "installed: 6.8.12-4-pve, 6.14.8-2-pve, 6.17.2-1-pve", "module", "build", "--kernel", "6.99.1-1-pve");
        assertRefused(host, 2, "pve-usb-gadget: --source=/root/missing.c does not exist (give a dummy_hcd.c, a kernel "
                + "source folder or a kernel tarball)", "module", "build", "--source", "/root/missing.c");
        assertRefused(host, 2, "pve-usb-gadget: --source=/root/notes.txt is not the kernel's dummy_hcd.c",
                "module", "build", "--source", "/root/notes.txt");
        assertRefused(host, 2, "--kernel ../x: not a kernel release name", "module", "build", "--kernel", "../x");
        assertRefused(host, 1, "pve-usb-gadget: no dummy_hcd.c source for kernel 6.8.12-4-pve (Linux 6.8.12): none: "
                + "no DUMMY_HCD_SOURCE, no /usr/src/linux-source-6.8.tar.*, no /var/cache/pve-usb-gadget-dummy-hcd/"
                + "v6.8.12/dummy_hcd.c, downloads off; give one: pve-usb-gadget module build --kernel 6.8.12-4-pve "
                + "--source /path/to/dummy_hcd.c|linux-6.8.N.tar.xz", "module", "build");
        assertThat(host.changes()).isEmpty();
    }

    @Test
    void aRelativeSourceIsMadeAbsoluteAndAnotherSeriesIsWarnedAbout() {
        ModuleHost host = proxmox().mkdirs("/work/linux-6.6.1/drivers/usb/gadget/udc")
                .write("/work/linux-6.6.1/drivers/usb/gadget/udc/dummy_hcd.c", ModuleHost.DUMMY_HCD_C)
                .write("/work/linux-6.6.1/Makefile", "VERSION = 6\nPATCHLEVEL = 6\nSUBLEVEL = 1\n");
        CliRun run = host.run("module", "build", "--source", "linux-6.6.1", "--dry-run");
        assertThat(run.out()).contains("# source: --source folder /work/linux-6.6.1\n",
                "# warning: the source is Linux 6.6.1, the kernel 6.8.12: it may not compile\n",
                "timeout 900 env DUMMY_HCD_SOURCE=/work/linux-6.6.1 dkms build");
    }

    private static void assertRefused(ModuleHost host, int exit, String message, String... args) {
        CliRun run = host.run(args);
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(exit);
        assertThat(run.err()).as(run.toString()).contains(message);
        assertThat(run.err().strip()).doesNotContain("\n");
    }
}
