package io.github.pveusbgadget.status;

/** The state of a VM's drive, as {@code status} shows it. */
public enum VmState {
    /** Bound and enumerated by the host. */
    UP("up"),
    /** Bound, not (yet) enumerated. */
    BOUND("bound"),
    /** A gadget directory that is not bound: a build or removal that did not finish. */
    HALF_BUILT("half-built"),
    /** No gadget. */
    DOWN("down"),
    /** No gadget, and no usable config. */
    CONFIG_ERROR("config-error");

    private final String label;

    VmState(String label) {
        this.label = label;
    }

    /** The word {@code status} prints. */
    public String label() {
        return label;
    }
}
