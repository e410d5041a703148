package io.github.pveusbgadget.status;

/**
 * One row of {@code status}: a VM with a config, a gadget, or both. Empty strings where a value is unknown.
 *
 * @param state      what is built of it
 * @param hostDevice the bus-port and block device the host made of it, e.g. {@code 2-1 sdb}
 */
public record VmStatus(String vmId, VmState state, String udc, String image, String usbId, String serial,
                       String guid, String hostDevice, String problem) {
}
