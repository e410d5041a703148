package io.github.pveusbgadget.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar through the launcher the .deb installs as /usr/bin/pve-usb-gadget, in the environment Proxmox
 * gives a hookscript: {@code LC_ALL=C}, {@code PATH=/sbin:/bin:/usr/sbin:/usr/bin}, cwd {@code /}, stdin from
 * {@code /dev/null}, nothing else; with an image whose path is not ASCII.
 *
 * <p>The non-ASCII names are made and read by a shell script whose bytes are UTF-8, never by this JVM: Maven may
 * itself run under {@code LC_ALL=C}, where this JVM could not name them either.
 */
class LauncherLocaleIT {
    private static final Path JAR = Path.of("target/pve-usb-gadget.jar").toAbsolutePath();
    private static final Path LAUNCHER = Path.of("packaging/bin/pve-usb-gadget").toAbsolutePath();
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @TempDir
    Path dir;

    @BeforeEach
    void imageWithAnUmlaut() throws Exception {
        assertThat(JAR).as("mvn package builds it before the integration tests").isRegularFile();
        Result made = sh("""
                mkdir -p "$D/Sicherung" && truncate -s 64M "$D/Sicherung/Stick-\u00e4.img"
                printf 'image = %s\\nproduct_id = 0x4000\\nserial = ABC123\\n' "$D/Sicherung/Stick-\u00e4.img" > "$D/100.conf"
                chmod 600 "$D/100.conf"
                """);
        assertThat(made.exit).as(made.toString()).isZero();
    }

    @Test
    void theHookBuildsItsPlanForTheImageUnderProxmoxsEnvironment() throws Exception {
        Result run = sh(proxmox("sh " + LAUNCHER) + " --config-dir \"$D\" hook 100 pre-start --dry-run");
        assertThat(run.exit).as(run.toString()).isZero();
        assertThat(run.out).contains("printf '%s\\n' '" + dir + "/Sicherung/Stick-\u00e4.img' > "
                + "/sys/kernel/config/usb_gadget/pve-usb-gadget-100/functions/mass_storage.0/lun.0/file\n");
    }

    @Test
    void checkFindsTheImageUsableUnderProxmoxsEnvironment() throws Exception {
        Result run = sh(proxmox("sh " + LAUNCHER) + " --config-dir \"$D\" check 100");
        assertThat(run.out).as(run.toString()).contains("ok    VM 100: image " + dir + "/Sicherung/Stick-\u00e4.img "
                + "usable\n");
    }

    @Test
    void theJarWithoutTheLauncherRefusesInOneLineNamingTheFix() throws Exception {
        Result run = sh(proxmox(JAVA + " -jar " + JAR) + " --config-dir \"$D\" hook 100 pre-start --dry-run");
        assertThat(run.exit).as(run.toString()).isEqualTo(2);
        assertThat(run.err.strip()).as(run.toString()).doesNotContain("\n").contains(dir + "/100.conf:1: image: ",
                "has the character U+00E4, which Java cannot put in a file name under this locale (its character set "
                        + "is ANSI_X3.4-1968; LC_ALL=C)", "LC_ALL=C.UTF-8");
    }

    /** {@code command} as Proxmox would start it, plus where the jar and the JDK under test are. */
    private static String proxmox(String command) {
        return "cd / && env -i LC_ALL=C PATH=/sbin:/bin:/usr/sbin:/usr/bin PVE_USB_GADGET_JAR=" + JAR
                + " PVE_USB_GADGET_JAVA=" + JAVA + " PVE_USB_GADGET_CDS=/nonexistent " + command + " </dev/null";
    }

    /** Runs {@code script} (UTF-8 bytes) with {@code D} set to the temporary directory. */
    private Result sh(String script) throws Exception {
        Path file = dir.resolve("script.sh");
        Files.write(file, ("D='" + dir + "'\n" + script + "\n").getBytes(StandardCharsets.UTF_8));
        Process p = new ProcessBuilder("sh", file.toString()).directory(new File("/"))
                .redirectInput(new File("/dev/null")).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8),
                new String(err, StandardCharsets.UTF_8));
    }

    private record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- out:\n" + out + "--- err:\n" + err;
        }
    }

}
