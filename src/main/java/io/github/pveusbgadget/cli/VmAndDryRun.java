package io.github.pveusbgadget.cli;

import io.github.pveusbgadget.config.VmId;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The VM a command acts on, and whether it only prints what it would do: a picocli mixin. */
final class VmAndDryRun {
    @Parameters(index = "0", paramLabel = "VMID")
    String vmId;

    @Option(names = "--dry-run", description = "Change nothing; print the steps as a shell script.")
    boolean dryRun;

    VmId vmId() {
        return VmId.parse(vmId);
    }
}
