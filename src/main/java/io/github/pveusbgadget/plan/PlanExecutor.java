package io.github.pveusbgadget.plan;

import io.github.pveusbgadget.ToolException;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies plans, step by step, with one task-log line per step.
 *
 * @param <C> what the steps act on
 */
public final class PlanExecutor<C> {
    private static final Logger LOG = LoggerFactory.getLogger(PlanExecutor.class);

    private final C context;
    private final FaultInjector faults;
    private final boolean taskLog;
    private final Map<String, Integer> stepsDone = new HashMap<>();

    private PlanExecutor(C context, FaultInjector faults, boolean taskLog) {
        this.context = context;
        this.faults = faults;
        this.taskLog = taskLog;
    }

    /** For {@code up}/{@code down}: each step is a line of the Proxmox task log (standard error). */
    public static <C> PlanExecutor<C> withTaskLog(C context, FaultInjector faults) {
        return new PlanExecutor<>(context, faults, true);
    }

    /** For commands that print their own result ({@code init}, {@code attach}): steps are logged with {@code -v}. */
    public static <C> PlanExecutor<C> quiet(C context) {
        return new PlanExecutor<>(context, FaultInjector.NONE, false);
    }

    /**
     * Applies every step of a plan of {@code operation} ({@code up}, {@code attach}, ...); the first failure stops
     * it and is thrown as a one-line {@link ToolException}. Steps are numbered across all plans of one operation.
     */
    public void apply(String operation, Plan<C> plan) {
        for (Step<? super C> step : plan.steps()) {
            if (taskLog) {
                LOG.info(step.describe());
            } else {
                LOG.debug(step.describe());
            }
            try {
                faults.beforeStep(operation, stepsDone.merge(operation, 1, Integer::sum), step);
                step.apply(context);
            } catch (IOException e) {
                throw ToolException.failed(step.describe() + " failed: " + reason(e), e);
            }
        }
    }

    /** Applies every step it can, going on after failures: for cleaning up after a failure. */
    public void applyBestEffort(Plan<C> plan) {
        for (Step<? super C> step : plan.steps()) {
            LOG.info("cleanup: {}", step.describe());
            try {
                step.apply(context);
            } catch (IOException | RuntimeException e) {
                LOG.warn("cleanup: {} failed: {}", step.describe(), reason(e));
            }
        }
    }

    /** The reason of an I/O failure, without the exception class (the kernel's {@code Device or resource busy}). */
    public static String reason(Exception e) {
        String message = e.getMessage();
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            message = fse.getReason();
        }
        return message == null ? e.getClass().getSimpleName() : message;
    }
}
