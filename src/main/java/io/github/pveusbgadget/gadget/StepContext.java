package io.github.pveusbgadget.gadget;

import io.github.pveusbgadget.host.CommandRunner;
import io.github.pveusbgadget.host.Poller;
import io.github.pveusbgadget.kernel.HostUsbBus;
import io.github.pveusbgadget.kernel.KernelModules;

/** What steps act on. */
public record StepContext(GadgetFs fs, KernelModules modules, HostUsbBus usb, Poller poller, CommandRunner runner) {
}
