package io.github.pveusbgadget.kernel;

/**
 * A USB device controller offered by {@code dummy_hcd}. {@code dummy_udc.N} is paired with the emulated host
 * controller {@code dummy_hcd.N}, on whose bus the host enumerates what the UDC carries.
 *
 * @param name         {@code dummy_udc.N}, the value written to a gadget's {@code UDC} attribute
 * @param index        N
 * @param maximumSpeed its {@code maximum_speed}, e.g. {@code super-speed}
 */
public record Udc(String name, int index, String maximumSpeed) {
    public static final String PREFIX = "dummy_udc.";

    /** {@code dummy_hcd.N}: the platform device of the host side of this UDC. */
    public String hostControllerName() {
        return "dummy_hcd." + index;
    }

    /** The index of a dummy UDC name, or -1 when the name is not one of {@code dummy_hcd}'s UDCs. */
    public static int indexOf(String name) {
        if (!name.startsWith(PREFIX) || !name.substring(PREFIX.length()).matches("[0-9]{1,4}")) {
            return -1;
        }
        return Integer.parseInt(name.substring(PREFIX.length()));
    }
}
