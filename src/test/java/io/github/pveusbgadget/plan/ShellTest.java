package io.github.pveusbgadget.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ShellTest {
    @Test
    void dryRunWordsAreQuotedForTheShell() {
        assertThat(Shell.join(List.of("qm", "set", "100", "--boot", "order=usb0;scsi0")))
                .isEqualTo("qm set 100 --boot 'order=usb0;scsi0'");
        assertThat(Shell.quote("it's")).isEqualTo("'it'\\''s'");
    }

    @Test
    void stringsAreWrittenWithPrintfNotEcho() {
        assertThat(Shell.writeLine("A\\cB", "/x/product")).isEqualTo("printf '%s\\n' 'A\\cB' > /x/product");
        assertThat(Shell.writeLine("", "/x/UDC")).isEqualTo("printf '%s\\n' '' > /x/UDC");
    }

    @Test
    void aHereDocumentIsNeverEndedByItsContent() {
        assertThat(Shell.hereDocument("cat > x", "a\nEOF\n")).containsExactly("cat > x <<'PVE_USB_GADGET_EOF'", "a",
                "EOF", "PVE_USB_GADGET_EOF");
        assertThat(Shell.hereDocument("cat > x", "a\n")).containsExactly("cat > x <<'EOF'", "a", "EOF");
    }

    @Test
    void exactContentKeepsCarriageReturnsAndEscapesTheFormat() {
        assertThat(Shell.printExactly("A=\"1\"\r\n50% it's \\n\n"))
                .isEqualTo("printf 'A=\"1\"\\r\\n50%% it'\\''s \\\\n\\n'");
    }
}
