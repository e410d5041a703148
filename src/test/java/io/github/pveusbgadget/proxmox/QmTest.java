package io.github.pveusbgadget.proxmox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.config.VmId;
import io.github.pveusbgadget.host.CommandResult;
import io.github.pveusbgadget.host.CommandRunner;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code qm} through a mocked {@link CommandRunner}: the exact command lines, timeouts and failure messages. */
class QmTest {
    private final CommandRunner runner = mock(CommandRunner.class);
    private final Qm qm = new Qm(runner);
    private final VmId vm = new VmId(100);

    @Test
    void configRunsQmConfigWithItsTimeoutAndParsesTheAnswer() {
        when(runner.run(List.of("qm", "config", "100"), Qm.CONFIG_TIMEOUT))
                .thenReturn(new CommandResult(0, "boot: order=scsi0\nusb0: host=1d6b:4000,usb3=1\n", false));
        assertThat(qm.config(vm).usbSlotFor("1d6b:4000")).contains("usb0");
    }

    @Test
    void aFailedQmSetIsOneLineWithTheQuotedCommand() {
        List<String> options = List.of("--boot", "order=usb0;scsi0");
        when(runner.run(List.of("qm", "set", "100", "--boot", "order=usb0;scsi0"), Qm.SET_TIMEOUT))
                .thenReturn(new CommandResult(255, "400 Parameter verification failed.\nboot: invalid\n", false));
        assertThatThrownBy(() -> qm.set(vm, options)).isInstanceOf(ToolException.class)
                .hasMessage("qm set 100 --boot 'order=usb0;scsi0' failed: boot: invalid");
    }

    @Test
    void aHostWithoutQmIsRefusedBeforeAnythingRuns() {
        when(runner.isAvailable("qm")).thenReturn(false);
        assertThatThrownBy(() -> qm.requireAvailable("attach", "qm")).isInstanceOf(ToolException.class)
                .hasMessageContaining("'qm' not found: attach must run on the Proxmox VE node");
        verify(runner, never()).run(any(), any(Duration.class));
    }
}
