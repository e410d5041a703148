package io.github.pveusbgadget.imagebuild;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/** The host tools the real builds need; tests that need them are skipped, visibly, where they are missing. */
final class HostTools {
    private HostTools() {
    }

    static boolean has(String program) {
        for (String dir : (System.getenv("PATH") + File.pathSeparator + "/usr/sbin:/sbin").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    /** Skips the test, naming every missing tool and its package, unless all the image tools are installed. */
    static void assumeImageTools() {
        List<String> missing = new ArrayList<>(Stream.of("mkfs.fat", "fsck.fat", "mcopy", "mattrib")
                .filter(tool -> !has(tool)).toList());
        if (!Files.isExecutable(TestZips.SYSLINUX)) {
            missing.add(TestZips.SYSLINUX.toString());
        }
        Assumptions.assumeTrue(missing.isEmpty(), () -> String.join(", ", missing) + " not installed (apt-get install "
                + "dosfstools mtools syslinux syslinux-common; the test zip uses syslinux as its installer); "
                + ".ci/run installs them");
    }

    /** Runs a command, returns its exit code and output. */
    static Result exec(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " timed out");
        }
        return new Result(p.exitValue(), out);
    }

    record Result(int exitCode, String output) {
    }
}
