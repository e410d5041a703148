package io.github.pveusbgadget.gadget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.itest.FaultSpec;
import io.github.pveusbgadget.plan.FaultInjector;
import io.github.pveusbgadget.plan.Step;
import io.github.pveusbgadget.testing.CliRun;
import io.github.pveusbgadget.testing.FakeKernel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every step of {@code up} and {@code down} is made to fail, or the process to die there: afterwards the system is
 * fully up or fully clean after a rollback, and the next {@code up}/{@code down} succeeds.
 */
class FaultInjectionTest {
    private static final String GADGETS = FakeKernel.CONFIGFS + "/usb_gadget";

    /** Stands for the process being killed: an Error skips the rollback as kill -9 would. */
    private static final class Killed extends Error {
        Killed() {
            super("killed");
        }
    }

    private static FakeKernel vm100() {
        FakeKernel kernel = new FakeKernel();
        kernel.image("100.img", 4096);
        kernel.config(100, "image = /images/100.img\nproduct_id = 0x4000\nserial = F00D\n");
        return kernel;
    }

    private static int stepsOf(String operation) {
        FakeKernel kernel = vm100();
        int[] count = {0};
        kernel.faults((op, n, step) -> {
            if (op.equals(operation)) {
                count[0] = n;
            }
        });
        CliRun.run(kernel, "up", "100");
        CliRun.run(kernel, "down", "100");
        return count[0];
    }

    @Test
    void aFailureAtAnyStepOfUpLeavesACleanHostAndUpThenWorks() throws Exception {
        int steps = stepsOf("up");
        assertThat(steps).isGreaterThan(20);
        for (int k = 1; k <= steps; k++) {
            FakeKernel kernel = vm100();
            int at = k;
            kernel.faults((op, n, step) -> {
                if (op.equals("up") && n == at) {
                    throw new IOException("injected");
                }
            });
            CliRun failed = CliRun.run(kernel, "up", "100");
            assertThat(failed.exitCode()).as("fault at step %d", k).isEqualTo(1);
            assertThat(failed.err()).as("fault at step %d", k).contains("injected").doesNotContain("\tat ");
            assertThat(kernel.snapshot(GADGETS)).as("fault at step %d", k)
                    .isIn(List.of(), List.of(GADGETS + "/"));
            assertThat(kernel.moduleLoaded("dummy_hcd")).as("fault at step %d", k).isFalse();
            kernel.faults(FaultInjector.NONE);
            assertThat(CliRun.run(kernel, "up", "100").exitCode()).as("up after fault at %d", k).isZero();
            assertThat(kernel.read(GADGETS + "/pve-usb-gadget-100/UDC")).isEqualTo("dummy_udc.0");
        }
    }

    @Test
    void aKilledUpAtAnyStepIsRepairedByTheNextUpOrDown() throws Exception {
        int steps = stepsOf("up");
        for (int k = 1; k <= steps; k++) {
            for (String next : List.of("up", "down")) {
                FakeKernel kernel = vm100();
                int at = k;
                kernel.faults((op, n, step) -> {
                    if (op.equals("up") && n == at) {
                        throw new Killed();
                    }
                });
                assertThatThrownBy(() -> CliRun.run(kernel, "up", "100")).isInstanceOf(Killed.class);
                kernel.faults(FaultInjector.NONE);
                CliRun repair = CliRun.run(kernel, next, "100");
                assertThat(repair.exitCode()).as("%s after a kill at step %d: %s", next, k, repair).isZero();
                if (next.equals("up")) {
                    assertThat(kernel.read(GADGETS + "/pve-usb-gadget-100/UDC")).isEqualTo("dummy_udc.0");
                    assertThat(kernel.read("/sys/bus/usb/devices/1-1/serial")).isEqualTo("F00D");
                } else {
                    assertThat(kernel.snapshot(GADGETS)).isIn(List.of(), List.of(GADGETS + "/"));
                }
            }
        }
    }

    @Test
    void aFailureAtAnyStepOfDownIsFinishedByThatDown() throws Exception {
        int steps = stepsOf("down");
        assertThat(steps).isGreaterThan(5);
        for (int k = 1; k <= steps; k++) {
            FakeKernel kernel = vm100();
            assertThat(CliRun.run(kernel, "up", "100").exitCode()).isZero();
            int at = k;
            List<Step<?>> appliedAfterTheFault = new ArrayList<>();
            kernel.faults((op, n, step) -> {
                if (op.equals("down") && n == at) {
                    throw new IOException("injected");
                }
                if (op.equals("down") && n > at) {
                    appliedAfterTheFault.add(step);
                }
            });
            CliRun down = CliRun.run(kernel, "down", "100");
            assertThat(down.exitCode()).as("fault at step %d: %s", k, down).isZero();
            assertThat(appliedAfterTheFault).as("fault at step %d: the image is flushed after it", k)
                    .anyMatch(step -> step instanceof Steps.FlushImage);
            assertThat(kernel.snapshot(GADGETS)).as("fault at step %d", k).isIn(List.of(), List.of(GADGETS + "/"));
            assertThat(kernel.moduleLoaded("dummy_hcd")).as("fault at step %d", k).isFalse();
            kernel.faults(FaultInjector.NONE);
            assertThat(CliRun.run(kernel, "up", "100").exitCode()).as("up after fault at %d", k).isZero();
        }
    }

    @Test
    void aStepThatKeepsFailingFailsDownNamingTheFixAndTheNextDownFinishes() throws Exception {
        int steps = stepsOf("down");
        for (int k = 1; k <= steps; k++) {
            FakeKernel kernel = vm100();
            assertThat(CliRun.run(kernel, "up", "100").exitCode()).isZero();
            int from = k;
            kernel.faults((op, n, step) -> {
                if (op.equals("down") && n >= from) {
                    throw new IOException("still broken");
                }
            });
            CliRun failed = CliRun.run(kernel, "down", "100");
            assertThat(failed.exitCode()).as("faults from step %d", k).isEqualTo(1);
            assertThat(failed.err()).contains("run 'pve-usb-gadget down 100' again").doesNotContain("\tat ");
            kernel.faults(FaultInjector.NONE);
            assertThat(CliRun.run(kernel, "down", "100").exitCode()).as("down after faults from %d", k).isZero();
            assertThat(kernel.snapshot(GADGETS)).isIn(List.of(), List.of(GADGETS + "/"));
        }
    }

    @Test
    void aKillAtAnyStepOfDownIsFinishedByTheNextDown() throws Exception {
        int steps = stepsOf("down");
        for (int k = 1; k <= steps; k++) {
            FakeKernel kernel = vm100();
            assertThat(CliRun.run(kernel, "up", "100").exitCode()).isZero();
            int at = k;
            kernel.faults((op, n, step) -> {
                if (op.equals("down") && n == at) {
                    throw new Killed();
                }
            });
            assertThatThrownBy(() -> CliRun.run(kernel, "down", "100")).isInstanceOf(Killed.class);
            kernel.faults(FaultInjector.NONE);
            assertThat(CliRun.run(kernel, "down", "100").exitCode()).as("down after a kill at %d", k).isZero();
            assertThat(kernel.snapshot(GADGETS)).isIn(List.of(), List.of(GADGETS + "/"));
            assertThat(CliRun.run(kernel, "up", "100").exitCode()).isZero();
        }
    }

    @Test
    void theSpecOfTheEnvironmentVariableIsStrict() throws Exception {
        FaultInjector injector = FaultSpec.parse("down:2:fail");
        injector.beforeStep("down", 1, null);
        injector.beforeStep("up", 2, null);
        assertThatThrownBy(() -> injector.beforeStep("down", 2, null)).hasMessageContaining("injected fault");
        assertThat(FaultSpec.parse("")).isSameAs(FaultInjector.NONE);
        assertThatThrownBy(() -> FaultSpec.parse("up:0:fail")).isInstanceOf(ToolException.class);
        assertThatThrownBy(() -> FaultSpec.parse("sideways:1:die")).isInstanceOf(ToolException.class);
    }
}
