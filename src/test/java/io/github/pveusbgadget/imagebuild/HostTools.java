package io.github.pveusbgadget.imagebuild;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

    static void assumeImageTools() {
        for (String tool : List.of("mkfs.fat", "mcopy", "mattrib", "fsck.fat")) {
            Assumptions.assumeTrue(has(tool), "SKIPPED: " + tool + " not installed (apt-get install dosfstools "
                    + "mtools syslinux); .ci/run installs them");
        }
        Assumptions.assumeTrue(Files.isExecutable(TestZips.SYSLINUX), "SKIPPED: /usr/bin/syslinux not installed "
                + "(apt-get install syslinux syslinux-common): the test zip uses it as its installer");
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
