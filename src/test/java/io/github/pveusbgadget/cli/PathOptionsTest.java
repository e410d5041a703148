package io.github.pveusbgadget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pveusbgadget.testing.CliRun;
import io.github.pveusbgadget.testing.FakeKernel;
import org.junit.jupiter.api.Test;

/** Options that picocli converts to a {@code Path} name a file of the environment's file system. */
class PathOptionsTest {
    private final FakeKernel kernel = new FakeKernel();

    @Test
    void imageCreateSeesTheImageAGadgetServesInTheInjectedFileSystem() {
        kernel.vm100();
        assertThat(CliRun.run(kernel, "up", "100").exitCode()).isZero();
        // /images/100.img exists only in the fake host: read on the real one, the check would find nothing to guard.
        CliRun run = CliRun.run(kernel, "image", "create", "--zip", "/zips/u.zip", "--output", "/images/100.img",
                "--force");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.err().strip()).isEqualTo("pve-usb-gadget: --output /images/100.img is the image of gadget "
                + "pve-usb-gadget-100; stop that VM (or 'pve-usb-gadget down') before replacing it");
    }
}
