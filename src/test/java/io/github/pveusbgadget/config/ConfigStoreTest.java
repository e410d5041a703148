package io.github.pveusbgadget.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.testing.FakeKernel;
import io.github.pveusbgadget.host.Poller;
import java.nio.file.Files;
import java.util.Optional;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

class ConfigStoreTest {
    private final FakeKernel kernel = new FakeKernel();
    private final ConfigStore store = new ConfigStore(kernel.path(FakeKernel.CONFIG_DIR), Optional.empty(),
            kernel.path("/run/lock/pve-usb-gadget.lock"), new Poller(kernel));
    private static final String VALID = "image = /images/a.img\nproduct_id = 0x4000\nserial = ABC123\n";

    @Test
    void loadsARootOwnedPrivateFile() {
        kernel.config(100, VALID);
        assertThat(store.load(new VmId(100)).serial()).isEqualTo("ABC123");
        assertThat(store.list()).containsExactly(new VmId(100));
    }

    @Test
    void refusesAFileWritableByOthers() throws Exception {
        Path file = kernel.config(100, VALID);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertThatThrownBy(() -> store.load(new VmId(100)))
                .isInstanceOf(ToolException.class)
                .hasMessageContaining("writable by group or others")
                .hasMessageContaining("chmod go-w " + file);
    }

    @Test
    void refusesAFileNotOwnedByRoot() throws Exception {
        Path file = kernel.config(100, VALID);
        Files.setOwner(file, kernel.fileSystem().getUserPrincipalLookupService().lookupPrincipalByName("mallory"));
        assertThatThrownBy(() -> store.load(new VmId(100))).hasMessageContaining("owned by 'mallory', not root");
    }

    @Test
    void refusesASymlinkToElsewhere() throws Exception {
        Path target = kernel.config(101, VALID);
        Files.createSymbolicLink(kernel.path(FakeKernel.CONFIG_DIR + "/100.conf"), target);
        assertThatThrownBy(() -> store.load(new VmId(100))).hasMessageContaining("is a symbolic link");
    }

    @Test
    void refusesNonUtf8AndMissingFiles() throws Exception {
        Path file = kernel.config(100, VALID);
        Files.write(file, new byte[] {'i', 'm', (byte) 0xff, '\n'});
        assertThatThrownBy(() -> store.load(new VmId(100))).hasMessageContaining("not valid UTF-8");
        assertThatThrownBy(() -> store.load(new VmId(7)))
                .hasMessageContaining("7.conf: no such file; create it with 'pve-usb-gadget init");
    }

    @Test
    void writesAtomicallyWithOwnerOnlyPermissions() throws Exception {
        Path file = store.write(new VmId(5), VALID);
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readString(file)).isEqualTo(VALID);
        try (var entries = Files.list(kernel.path(FakeKernel.CONFIG_DIR))) {
            assertThat(entries.map(p -> p.getFileName().toString())).containsExactly("5.conf");
        }
    }
}
