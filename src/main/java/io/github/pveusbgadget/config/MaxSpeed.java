package io.github.pveusbgadget.config;

/** The {@code max_speed} a gadget asks for; the names are those of the configfs {@code max_speed} attribute. */
public enum MaxSpeed {
    HIGH("high", "high-speed"),
    SUPER("super", "super-speed");

    private final String configName;
    private final String kernelName;

    MaxSpeed(String configName, String kernelName) {
        this.configName = configName;
        this.kernelName = kernelName;
    }

    public String configName() {
        return configName;
    }

    /** The value written to the gadget's {@code max_speed} attribute. */
    public String kernelName() {
        return kernelName;
    }

    /** Whether a UDC whose {@code maximum_speed} reads {@code udcSpeed} can run at this speed. */
    public boolean offeredBy(String udcSpeed) {
        return this == HIGH || udcSpeed.startsWith("super-speed");
    }
}
