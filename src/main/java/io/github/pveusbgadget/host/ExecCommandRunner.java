package io.github.pveusbgadget.host;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteWatchdog;
import org.apache.commons.exec.PumpStreamHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link CommandRunner} over Commons Exec: explicit timeout, output captured, never an exception. */
public final class ExecCommandRunner implements CommandRunner {
    private static final Logger LOG = LoggerFactory.getLogger(ExecCommandRunner.class);

    private final String path;

    /** @param path the {@code PATH} programs are looked up in (the process's, from the environment) */
    public ExecCommandRunner(String path) {
        this.path = path;
    }

    @Override
    public CommandResult run(List<String> command, Duration timeout) {
        CommandLine line = new CommandLine(command.get(0));
        command.subList(1, command.size()).forEach(arg -> line.addArgument(arg, false));
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        ExecuteWatchdog watchdog = ExecuteWatchdog.builder().setTimeout(timeout).get();
        DefaultExecutor executor = DefaultExecutor.builder().get();
        executor.setStreamHandler(new PumpStreamHandler(output));
        executor.setWatchdog(watchdog);
        executor.setExitValues(null);
        LOG.debug("running {}", command);
        int exit;
        try {
            exit = executor.execute(line);
        } catch (IOException e) {
            return new CommandResult(-1, command.get(0) + ": " + e.getMessage(), false);
        }
        String text = output.toString(StandardCharsets.UTF_8);
        boolean timedOut = watchdog.killedProcess();
        LOG.debug("{} exited {}{}: {}", command.get(0), exit, timedOut ? " (timed out)" : "", text.strip());
        return new CommandResult(timedOut ? -1 : exit, text, timedOut);
    }

    @Override
    public boolean isAvailable(String program) {
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && new File(dir, program).canExecute()) {
                return true;
            }
        }
        return false;
    }
}
