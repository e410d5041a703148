package io.github.pveusbgadget.imagebuild;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pveusbgadget.cli.Application;
import io.github.pveusbgadget.cli.Environment;
import io.github.pveusbgadget.testing.DashReplay;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dry-run script of {@code image create}, run under dash, builds the image the apply builds: the same sector 0
 * (boot code and partition table), the same volume label and the same files with the same contents.
 */
class ImageScriptReplayTest {
    @TempDir
    Path dir;

    /** The real host, with a fixed random source: both runs choose the same FAT volume id. */
    private static String[] run(String... args) {
        Environment host = Environment.system();
        Environment fixed = new Environment(host.fileSystem(), host.gadgetFs(), host.runner(), host.ticker(),
                () -> new Random(7), host.faults(), host.clock(), host.variables(), host.user(), host.home(),
                host.tmpDir(), false);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Application.run(args, fixed, new PrintWriter(out, true), new PrintWriter(err, true));
        assertThat(code).as("%s\n%s", out, err).isZero();
        return new String[] {out.toString(), err.toString()};
    }

    @Test
    void theScriptBuildsTheImageTheApplyBuilds() throws Exception {
        HostTools.assumeImageTools();
        Path dash = DashReplay.dash();
        assertThat(HostTools.has("unzip")).as("unzip, which the script uses").isTrue();
        Path zip = TestZips.unraid(dir);
        Path applied = dir.resolve("applied.img");
        Path scripted = dir.resolve("scripted.img");
        String[] common = {"--zip", zip.toString(), "--size", "512M", "--network", "static", "--address",
            "192.168.5.20/24", "--gateway", "192.168.5.1"};
        String script = run(concat(new String[] {"image", "create", "--output", scripted.toString(), "--dry-run"},
                common))[0];
        run(concat(new String[] {"image", "create", "--output", applied.toString()}, common));

        Path file = Files.writeString(dir.resolve("create.sh"), script);
        Process process = new ProcessBuilder(dash.toString(), file.toString()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("%s\n--- script:\n%s", output, script).isZero();

        assertThat(Files.size(scripted)).isEqualTo(Files.size(applied));
        assertThat(sector0(scripted)).isEqualTo(sector0(applied));
        assertThat(label(scripted)).isEqualTo(label(applied)).contains("UNRAID");
        Map<String, String> files = files(scripted);
        assertThat(files).isEqualTo(files(applied)).containsKeys("bzroot", "ldlinux.sys", "config/network.cfg");
    }

    private static byte[] sector0(Path image) throws Exception {
        byte[] sector = new byte[512];
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "r")) {
            file.readFully(sector);
        }
        return sector;
    }

    private static String label(Path image) throws Exception {
        return HostTools.exec("mlabel", "-s", "-i", image + "@@1048576", "::").output();
    }

    /** Every file of the image's FAT (path below the root) with a digest of its content. */
    private Map<String, String> files(Path image) throws Exception {
        Path out = Files.createDirectories(dir.resolve(image.getFileName() + ".files"));
        HostTools.Result copy = HostTools.exec("env", "MTOOLS_SKIP_CHECK=1", "mcopy", "-s", "-n", "-i",
                image + "@@1048576", "::/*", out.toString());
        assertThat(copy.exitCode()).as(copy.output()).isZero();
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(out)) {
            for (Path p : paths.filter(Files::isRegularFile).toList()) {
                files.put(out.relativize(p).toString(), java.util.HexFormat.of().formatHex(
                        java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
            }
        }
        return files;
    }

    private static String[] concat(String[] a, String[] b) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }
}
