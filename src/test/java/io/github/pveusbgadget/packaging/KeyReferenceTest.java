package io.github.pveusbgadget.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pveusbgadget.config.ConfigKey;
import io.github.pveusbgadget.config.ConfigParser;
import io.github.pveusbgadget.config.VmId;
import io.github.pveusbgadget.testing.CliRun;
import io.github.pveusbgadget.testing.FakeKernel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The key reference is where an installed user looks (man page, {@code init --help}, the shipped example), and it is
 * the parser's own list: a key added to {@link ConfigKey} without its documentation fails here.
 */
class KeyReferenceTest {

    @Test
    void theManPageHasTheReferenceOfTheCode() throws Exception {
        String man = Files.readString(Path.of("packaging/man/pve-usb-gadget.1"));
        assertThat(man).as("paste ConfigKey.troff() into the CONFIGURATION section").contains(ConfigKey.troff());
    }

    @Test
    void theExampleShowsEveryKeyTheParserKnowsAndParses() throws Exception {
        String example = Files.readString(Path.of("examples/100.conf"));
        for (String key : ConfigParser.KEYS) {
            assertThat(example).as(key).containsPattern(Pattern.compile("(?m)^" + key + " = "));
        }
        new ConfigParser().parse(new VmId(100), Path.of("examples/100.conf"), example);
    }

    @Test
    void initHelpListsEveryKeyAndAWrittenConfigPointsThere() throws Exception {
        FakeKernel kernel = new FakeKernel();
        String help = CliRun.run(kernel, "init", "--help").out();
        for (ConfigKey key : ConfigKey.ALL) {
            assertThat(help.replaceAll("\\s+", " ")).contains(" " + key.name() + " " + key.meaning() + " ");
        }
        CliRun.run(kernel, "init", "100", "--image", "/images/100.img");
        assertThat(Files.readString(kernel.path(FakeKernel.CONFIG_DIR + "/100.conf")))
                .contains("man pve-usb-gadget").doesNotContain("PRODUCT.md");
    }
}
