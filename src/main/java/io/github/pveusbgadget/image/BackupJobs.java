package io.github.pveusbgadget.image;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.config.VmId;
import io.github.pveusbgadget.host.ProcessStat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The backups that run in the background after {@code post-stop}, as files in the state directory:
 * {@code <vmid>.backup} names the process (pid and start time, so a later process with the same pid does not count)
 * and the image it copies; {@code <vmid>.backup-cancel} asks it to give up. {@code up} looks here before it builds a
 * gadget on an image, so that no backup copies an image a gadget serves.
 */
public final class BackupJobs {
    private static final String SUFFIX = ".backup";
    private static final String CANCEL_SUFFIX = ".backup-cancel";

    private final Path dir;
    private final Path proc;

    public BackupJobs(Path dir, Path proc) {
        this.dir = dir;
        this.proc = proc;
    }

    /** A backup process, as its job file names it. */
    public record Job(VmId vmId, Path image, long pid, long startTime) {
    }

    /** Registers this process as the backup of {@code image} for VM {@code vmId}; close it when the copy ends. */
    public Registration register(VmId vmId, Path image) {
        ProcessStat self = ProcessStat.read(proc, "self").orElseThrow(() -> ToolException.failed(
                "cannot read " + proc.resolve("self/stat") + ": is procfs mounted?", null));
        Path file = dir.resolve(vmId + SUFFIX);
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(cancelFile(vmId));
            Files.writeString(file, "pid=" + self.pid() + "\nstart=" + self.startTime() + "\nimage=" + image + "\n",
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw ToolException.failed("cannot write " + file + ": " + e.getMessage(), e);
        }
        return new Registration(vmId);
    }

    /** The live backup of {@code image}, if one runs; job files of processes that are gone are removed. */
    public Optional<Job> runningFor(Path image) {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path file : files) {
                Optional<Job> job = read(file);
                if (job.isEmpty()) {
                    continue;
                }
                if (!isAlive(job.get())) {
                    Files.deleteIfExists(file);
                    Files.deleteIfExists(cancelFile(job.get().vmId()));
                } else if (job.get().image().equals(image)) {
                    return job;
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** Whether the job's process still runs (the same process: pid and start time). */
    public boolean isAlive(Job job) {
        return ProcessStat.read(proc, Long.toString(job.pid()))
                .filter(stat -> stat.startTime() == job.startTime() && stat.isRunning()).isPresent();
    }

    /** Asks the job to give up: it removes its partial copy and ends. */
    public void cancel(Job job) {
        try {
            Files.writeString(cancelFile(job.vmId()), "cancelled\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw ToolException.failed("cannot write " + cancelFile(job.vmId()) + ": " + e.getMessage(), e);
        }
    }

    private Path cancelFile(VmId vmId) {
        return dir.resolve(vmId + CANCEL_SUFFIX);
    }

    private Optional<Job> read(Path file) throws IOException {
        Map<String, String> values = new HashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        String name = file.getFileName().toString();
        try {
            return Optional.of(new Job(VmId.parse(name.substring(0, name.length() - SUFFIX.length())),
                    file.getFileSystem().getPath(values.getOrDefault("image", "")),
                    Long.parseLong(values.getOrDefault("pid", "")), Long.parseLong(values.getOrDefault("start", ""))));
        } catch (ToolException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** This process's job: whether it has been cancelled, and its removal when the copy ends. */
    public final class Registration implements AutoCloseable {
        private final VmId vmId;

        private Registration(VmId vmId) {
            this.vmId = vmId;
        }

        /** Whether a {@code pre-start} asked the copy to give up. */
        public boolean cancelled() {
            return Files.exists(cancelFile(vmId));
        }

        @Override
        public void close() {
            try {
                Files.deleteIfExists(dir.resolve(vmId + SUFFIX));
                Files.deleteIfExists(cancelFile(vmId));
            } catch (IOException e) {
                // A job file left behind names a process that is gone: the next look removes it.
            }
        }
    }
}
