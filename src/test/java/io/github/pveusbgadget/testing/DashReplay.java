package io.github.pveusbgadget.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Replays a dry-run script under {@code dash} on a real scratch directory and compares what it builds with what the
 * apply built in a {@link FakeKernel} rooted at the same path: the proof that {@code --dry-run} prints the plan the
 * apply runs. The external programs the scripts call for the host ({@code modprobe}, {@code mount}, {@code qm}) are
 * recording stand-ins; {@code mkdir} and {@code rmdir} get configfs's one behaviour a plain directory lacks (a
 * group's default directories come and go with it), taken from what the fake's configfs made.
 */
public final class DashReplay {
    private static final List<String> RECORDED = List.of("modprobe", "mount", "qm");

    private final Path scratch;
    private final Path bin;
    private final Path log;

    /** {@code scratch} is an empty real directory; the fake to compare with must be rooted at {@code scratch/root}. */
    public DashReplay(Path scratch) {
        this.scratch = scratch;
        this.bin = scratch.resolve("bin");
        this.log = scratch.resolve("calls.log");
    }

    /** The path the fake is to be rooted at. */
    public String root() {
        return scratch.resolve("root").toString();
    }

    /** The dash of this host, or a visible skip (dash is essential on Debian; CI installs it). */
    public static Path dash() {
        for (String candidate : List.of("/bin/dash", "/usr/bin/dash")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return Path.of(candidate);
            }
        }
        System.out.println("SKIPPED: no dash on this host (apt install dash): dry-run scripts not replayed");
        Assumptions.abort("no dash on this host (apt install dash)");
        return null;
    }

    /** The global options that point the tool at the fake's root. */
    public List<String> globalOptions() {
        String r = root();
        return List.of("--configfs", r + "/sys/kernel/config", "--sysfs", r + "/sys", "--procfs", r + "/proc",
                "--devfs", r + "/dev", "--lock-file", r + "/run/lock/pve-usb-gadget.lock", "--config-dir",
                r + FakeKernel.CONFIG_DIR);
    }

    /**
     * Makes the part {@code take} of the scratch directory what it is in the fake: the host the script starts from.
     * What the fake no longer has is removed (directories only once empty).
     */
    public void copyFrom(FileSystem fake, Predicate<String> take) {
        Path from = fake.getPath(root());
        try (Stream<Path> stale = Files.walk(Path.of(root()))) {
            for (Path p : stale.sorted(Comparator.reverseOrder()).toList()) {
                if (take.test(p.toString()) && !Files.exists(fake.getPath(p.toString()), LinkOption.NOFOLLOW_LINKS)
                        && (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) || isEmpty(p))) {
                    Files.delete(p);
                }
            }
        } catch (NoSuchFileException e) {
            // Nothing copied yet.
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : paths.sorted().toList()) {
                if (!take.test(p.toString())) {
                    continue;
                }
                Path to = Path.of(p.toString());
                if (Files.isSymbolicLink(p)) {
                    Files.createDirectories(to.getParent());
                    Files.deleteIfExists(to);
                    Files.createSymbolicLink(to, Path.of(Files.readSymbolicLink(p).toString()));
                } else if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.createDirectories(to.getParent());
                    Files.write(to, Files.readAllBytes(p));
                    Files.setPosixFilePermissions(to, Files.getPosixFilePermissions(p));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    /**
     * Runs {@code script} under dash; {@code kernelMadeDirs} are the directories configfs makes by itself, which
     * the {@code mkdir}/{@code rmdir} stand-ins make and remove with the group they belong to.
     *
     * @return the recorded calls of {@code modprobe}, {@code mount} and {@code qm}, one line each
     */
    public List<String> run(String script, Collection<Path> kernelMadeDirs) throws IOException, InterruptedException {
        Path dash = dash();
        Files.createDirectories(bin);
        for (String program : RECORDED) {
            stub(program, "printf '%s\\n' \"" + program + " $*\" >> " + log + "\n");
        }
        // Each line: a group made by mkdir, TAB, a default directory the kernel makes inside it.
        Path groups = scratch.resolve("groups");
        List<String> pairs = new ArrayList<>();
        Set<String> made = Set.copyOf(kernelMadeDirs.stream().map(Path::toString).toList());
        for (String dir : made) {
            String owner = dir;
            while (made.contains(owner)) {
                owner = owner.substring(0, owner.lastIndexOf('/'));
            }
            pairs.add(owner + "\t" + dir);
        }
        // Deepest first: rmdir takes a group's default directories from the inside out.
        pairs.sort(Comparator.reverseOrder());
        Files.write(groups, pairs);
        stub("mkdir", "case $1 in -*) exec /bin/mkdir \"$@\";; esac\n"
                + "/bin/mkdir \"$1\" || exit\n"
                + "while IFS='\t' read -r group dir; do\n"
                + "  [ \"$group\" = \"$1\" ] && /bin/mkdir -p \"$dir\"\n"
                + "done < " + groups + "\n"
                + "exit 0\n");
        // configfs removes a group's attributes and default directories with it, never a group of ours inside.
        stub("rmdir", "while IFS='\t' read -r group dir; do\n"
                + "  if [ \"$group\" = \"$1\" ]; then\n"
                + "    find \"$dir\" -maxdepth 1 -type f -exec rm -f {} + && /bin/rmdir \"$dir\" || exit 1\n"
                + "  fi\n"
                + "done < " + groups + "\n"
                + "find \"$1\" -maxdepth 1 -type f -exec rm -f {} +\n"
                + "exec /bin/rmdir \"$1\"\n");
        Path file = scratch.resolve("script.sh");
        Files.writeString(file, script);
        Files.deleteIfExists(log);
        Files.createFile(log);
        ProcessBuilder builder = new ProcessBuilder(dash.toString(), "-c", "umask 022; exec " + dash + " " + file)
                .redirectErrorStream(true);
        builder.environment().put("PATH", bin + ":/usr/sbin:/usr/bin:/sbin:/bin");
        builder.environment().put("LC_ALL", "C");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("dash finished").isTrue();
        assertThat(process.exitValue()).as("dash %s exited with:\n%s\n--- script:\n%s", file, output, script)
                .isZero();
        return Files.readAllLines(log);
    }

    private void stub(String name, String body) throws IOException {
        Path file = bin.resolve(name);
        Files.writeString(file, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /**
     * Every path below the fake's root on the scratch directory ({@code real}) or in the fake: directories,
     * link targets, and file contents with their modes, minus what {@code drop} names.
     */
    public List<String> tree(FileSystem fs, Predicate<Path> drop) {
        Path from = fs.getPath(root());
        try (Stream<Path> paths = Files.walk(from)) {
            List<String> entries = new ArrayList<>();
            for (Path p : paths.sorted().toList()) {
                if (drop.test(p)) {
                    continue;
                }
                if (Files.isSymbolicLink(p)) {
                    entries.add(p + " -> " + Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    entries.add(p + "/");
                } else {
                    entries.add(p + " " + PosixFilePermissions.toString(Files.getPosixFilePermissions(p)) + " = "
                            + new String(Files.readAllBytes(p), StandardCharsets.UTF_8));
                }
            }
            return entries;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
