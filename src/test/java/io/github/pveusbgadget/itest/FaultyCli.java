package io.github.pveusbgadget.itest;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.cli.Application;
import io.github.pveusbgadget.cli.Environment;
import java.io.PrintWriter;

/**
 * The jar's command line in a process of its own with the fault seam wired from {@code PVE_USB_GADGET_FAULT}: for
 * the real-kernel scenarios whose fault must kill a real process (70-faults). Test code only: the production entry
 * point never parses the variable.
 */
public final class FaultyCli {
    private FaultyCli() {
    }

    public static void main(String[] args) {
        Environment environment;
        try {
            environment = Environment.system().withFaults(FaultSpec.parse(System.getenv(FaultSpec.VARIABLE)));
        } catch (ToolException e) {
            System.err.println("pve-usb-gadget: " + e.getMessage());
            System.exit(e.exitCode());
            return;
        }
        System.exit(Application.run(args, environment, new PrintWriter(System.out, true),
                new PrintWriter(System.err, true)));
    }
}
