package io.github.pveusbgadget.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What the .deb build takes from several places must agree (run from the project directory, as Maven does). */
class PackagingConsistencyTest {

    private static String first(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        assertThat(m.find()).as(pattern.pattern()).isTrue();
        return m.group(1);
    }

    @Test
    void theDkmsNameAndVersionOfThePomAreThoseOfDkmsConf() throws Exception {
        String pom = Files.readString(Path.of("pom.xml"));
        String dkms = Files.readString(Path.of("module-src/dkms.conf"));
        assertThat(first(Pattern.compile("<dkms.name>(.*)</dkms.name>"), pom))
                .isEqualTo(first(Pattern.compile("(?m)^PACKAGE_NAME=\"(.*)\""), dkms));
        assertThat(first(Pattern.compile("<dkms.version>(.*)</dkms.version>"), pom))
                .isEqualTo(first(Pattern.compile("(?m)^PACKAGE_VERSION=\"(.*)\""), dkms));
    }

    @Test
    void theShimInTheJarIsHookscriptsShim() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/io/github/pveusbgadget/hookscript/pve-usb-gadget-hook")) {
            assertThat(in).isNotNull();
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo(Files.readString(Path.of("hookscripts/pve-usb-gadget-hook")));
        }
    }

    @Test
    void theShimCallsTheLauncherThePackageInstalls() throws Exception {
        assertThat(Files.readString(Path.of("hookscripts/pve-usb-gadget-hook"))).contains("/usr/bin/pve-usb-gadget");
        assertThat(Files.isExecutable(Path.of("packaging/bin/pve-usb-gadget"))).isTrue();
        assertThat(Files.isExecutable(Path.of("packaging/udev/udev-vmid"))).isTrue();
    }
}
