package io.github.pveusbgadget.module;

import io.github.pveusbgadget.ToolException;
import io.github.pveusbgadget.host.CommandResult;
import io.github.pveusbgadget.host.CommandRunner;
import io.github.pveusbgadget.plan.Shell;
import io.github.pveusbgadget.plan.Step;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code dkms} run for a kernel, under coreutils' {@code timeout}, which stops the whole process group (make,
 * the compiler, tar) and not just dkms; the runner's own timeout, a little later, is the safety net. A failure says
 * what failed, where the build log is and what to run; dkms's own output goes to the log (stderr), line by line.
 *
 * @param what        {@code add}, {@code build} or {@code install}, for the messages
 * @param command     the command line, {@code env DUMMY_HCD_SOURCE=...} in front where a source was given
 * @param defaultLog  where dkms keeps the log of a failed build when its output does not say
 * @param fix         the command that gets past a failure of the source kind (given, or none at hand)
 */
public record DkmsStep(String what, KernelRelease kernel, List<String> command, Duration timeout, String defaultLog,
                       String fix) implements Step<CommandRunner> {
    private static final Logger LOG = LoggerFactory.getLogger(DkmsStep.class);
    private static final Pattern LOG_PATH = Pattern.compile("(/\\S*make\\.log)");
    private static final Pattern PREPARE_ERROR = Pattern.compile("(?m)^prepare-source\\.sh: error: (.*)$");
    /** coreutils timeout's exit code when the time ran out. */
    private static final int TIMED_OUT = 124;
    private static final Duration GRACE = Duration.ofSeconds(60);

    @Override
    public String describe() {
        return "dkms " + what + " for kernel " + kernel + " (at most " + timeout.toSeconds() + " s)";
    }

    @Override
    public List<String> shell() {
        return List.of(Shell.join(timed()));
    }

    private List<String> timed() {
        List<String> timed = new ArrayList<>(List.of("timeout", Long.toString(timeout.toSeconds())));
        timed.addAll(command);
        return timed;
    }

    @Override
    public void apply(CommandRunner runner) {
        CommandResult result = runner.run(timed(), timeout.plus(GRACE));
        result.output().lines().filter(l -> !l.isBlank()).forEach(l -> LOG.info("  {}", l.strip()));
        if (result.succeeded()) {
            return;
        }
        String log = logPath(result.output());
        if (result.timedOut() || result.exitCode() == TIMED_OUT) {
            throw ToolException.failed("dkms " + what + " for kernel " + kernel + " did not finish within "
                    + timeout.toSeconds() + " s and was stopped; see " + log + " and run it again with a longer "
                    + "--timeout", null);
        }
        if (result.output().contains("must be root")) {
            throw ToolException.failed("dkms " + what + " for kernel " + kernel + " needs root: run it as root", null);
        }
        Matcher prepare = PREPARE_ERROR.matcher(result.output());
        String why = prepare.find() ? "no usable dummy_hcd.c source: " + prepare.group(1) : result.lastLine();
        throw ToolException.failed("dkms " + what + " for kernel " + kernel + " failed (exit " + result.exitCode()
                + "): " + why + "; build log: " + log + "; " + fix, null);
    }

    private String logPath(String output) {
        Matcher m = LOG_PATH.matcher(output);
        String found = null;
        while (m.find()) {
            found = m.group(1);
        }
        return found != null ? found : defaultLog;
    }
}
