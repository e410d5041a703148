package io.github.pveusbgadget.proxmox;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pveusbgadget.config.VmId;
import io.github.pveusbgadget.testing.FakeKernel;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** qemu-server's {@code vm_running_locally}, case by case, against a stubbed {@code /proc} and pid file. */
class LocalVmTest {
    private static final VmId VM = new VmId(100);
    private static final String PID_FILE = "/var/run/qemu-server/100.pid";
    private final FakeKernel kernel = new FakeKernel();
    private final LocalVm localVm = new LocalVm(kernel.path("/proc"), kernel.path("/var/run/qemu-server"));

    private void pidFile(String content) throws Exception {
        Files.createDirectories(kernel.path("/var/run/qemu-server"));
        Files.writeString(kernel.path(PID_FILE), content);
    }

    @Test
    void aKvmProcessWhosePidfileOptionNamesThePidFileRuns() throws Exception {
        kernel.qemu(100, 5000);
        assertThat(localVm.qemuPid(VM)).contains(5000L);
        assertThat(localVm.qemuPid(new VmId(101))).isEmpty();
    }

    @Test
    void qemuSystemBinariesCountAsWellAsKvm() throws Exception {
        kernel.process(5000, 'R', 1, "/usr/bin/qemu-system-x86_64", "--pidfile", PID_FILE);
        pidFile("5000");
        assertThat(localVm.qemuPid(VM)).contains(5000L);
    }

    @Test
    void noPidFileOrAStalePidIsNotRunning() throws Exception {
        assertThat(localVm.qemuPid(VM)).isEmpty();
        pidFile("5000\n");
        assertThat(localVm.qemuPid(VM)).as("no such process").isEmpty();
    }

    @Test
    void aPidFileThatIsNotOnePlainNumberIsNotRunning() throws Exception {
        kernel.qemu(100, 5000);
        for (String junk : new String[] {" 5000\n", "5000 \n", "pid 5000\n", "", "-5000\n"}) {
            pidFile(junk);
            assertThat(localVm.qemuPid(VM)).as("pid file '%s'", junk).isEmpty();
        }
    }

    @Test
    void aReusedPidOfAnotherProgramIsNotRunning() throws Exception {
        kernel.process(5000, 'S', 1, "/usr/sbin/sshd", "-pidfile", PID_FILE);
        pidFile("5000\n");
        assertThat(localVm.qemuPid(VM)).as("not kvm/qemu-*").isEmpty();
        kernel.process(5000, 'S', 1, "/usr/bin/kvm", "-id", "100", "-pidfile", "/var/run/qemu-server/101.pid");
        assertThat(localVm.qemuPid(VM)).as("another VM's QEMU").isEmpty();
        kernel.process(5000, 'S', 1, "/usr/bin/kvm", "-id", "100");
        assertThat(localVm.qemuPid(VM)).as("no -pidfile: qemu-server does not take it for the VM").isEmpty();
        kernel.process(5000, 'S', 1, "/usr/bin/qemu/x", "-pidfile", PID_FILE);
        assertThat(localVm.qemuPid(VM)).as("a program named neither *kvm nor qemu-*").isEmpty();
    }

    @Test
    void aZombieIsNotRunning() throws Exception {
        kernel.process(5000, 'Z', 1, "/usr/bin/kvm", "-pidfile", PID_FILE);
        pidFile("5000\n");
        assertThat(localVm.qemuPid(VM)).isEmpty();
        kernel.process(5000, 'D', 1, "/usr/bin/kvm", "-pidfile", PID_FILE);
        assertThat(localVm.qemuPid(VM)).as("uninterruptible sleep is running").contains(5000L);
    }

    @Test
    void optionsAreReadAsParseCmdlineReadsThem() throws Exception {
        pidFile("5000\n");
        // An option without a value before -pidfile, and a "0" argument that Perl skips as false.
        kernel.process(5000, 'S', 1, "/usr/bin/kvm", "-nodefaults", "-pidfile", "0", PID_FILE);
        assertThat(localVm.qemuPid(VM)).contains(5000L);
        kernel.process(5000, 'S', 1, "/usr/bin/kvm", "-pidfile", "-daemonize", PID_FILE);
        assertThat(localVm.qemuPid(VM)).as("the value follows an option: -daemonize takes it").isEmpty();
    }
}
