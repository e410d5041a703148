package io.github.pveusbgadget;

import io.github.pveusbgadget.cli.Application;

/**
 * Entry point of the jar. Proxmox runs the hook at every phase of every VM start and stop, and two of the four
 * phases do nothing: those are answered here, before logging, the command line parser or anything else is loaded
 * (this class refers to nothing but {@link String} until it hands over).
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        if (isNoOpHook(args)) {
            return;
        }
        Application.main(args);
    }

    /** {@code hook <vmid> post-start|pre-stop} with a plain positive vmid (anything else gets the full checks). */
    static boolean isNoOpHook(String[] args) {
        if (args.length != 3 || !"hook".equals(args[0])
                || !("post-start".equals(args[2]) || "pre-stop".equals(args[2]))) {
            return false;
        }
        String vmId = args[1];
        if (vmId.isEmpty() || vmId.length() > 10 || vmId.charAt(0) < '1' || vmId.charAt(0) > '9') {
            return false;
        }
        for (int i = 1; i < vmId.length(); i++) {
            if (vmId.charAt(i) < '0' || vmId.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
