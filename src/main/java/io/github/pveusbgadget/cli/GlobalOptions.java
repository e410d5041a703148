package io.github.pveusbgadget.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The options every command takes, before or after its name. */
public final class GlobalOptions {
    /** Null when not given: then env {@code PVE_USB_GADGET_CONFIG_DIR}, then the default ({@code Services}). */
    @Option(names = "--config-dir", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "Directory of <vmid>.conf files (default: env PVE_USB_GADGET_CONFIG_DIR, else "
                    + "/etc/pve/pve-usb-gadget on a Proxmox host: on the cluster file system, shared by every node; "
                    + "/etc/pve-usb-gadget where /etc/pve is not pmxcfs).")
    String configDir;

    @Option(names = "--configfs", paramLabel = "DIR", scope = ScopeType.INHERIT,
            defaultValue = "/sys/kernel/config", description = "Where configfs is mounted (default: ${DEFAULT-VALUE}).")
    String configfs;

    @Option(names = "--sysfs", paramLabel = "DIR", scope = ScopeType.INHERIT, defaultValue = "/sys",
            description = "Where sysfs is mounted (default: ${DEFAULT-VALUE}).")
    String sysfs;

    @Option(names = "--procfs", paramLabel = "DIR", scope = ScopeType.INHERIT, defaultValue = "/proc", hidden = true,
            description = "Where procfs is mounted (default: ${DEFAULT-VALUE}).")
    String proc;

    @Option(names = "--devfs", paramLabel = "DIR", scope = ScopeType.INHERIT, defaultValue = "/dev", hidden = true,
            description = "Where device nodes are (default: ${DEFAULT-VALUE}).")
    String dev;

    @Option(names = "--lock-file", paramLabel = "FILE", scope = ScopeType.INHERIT, hidden = true,
            defaultValue = "/run/lock/pve-usb-gadget.lock",
            description = "The host-wide lock serializing up and down (default: ${DEFAULT-VALUE}).")
    String lockFile;

    @Option(names = "--pmxcfs", paramLabel = "DIR", scope = ScopeType.INHERIT, hidden = true,
            defaultValue = "/etc/pve",
            description = "Where Proxmox's cluster file system is mounted (default: ${DEFAULT-VALUE}); a test seam "
                    + "for simulated clusters.")
    String pmxcfs;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Debug output: every check, command and its output.")
    boolean verbose;
}
