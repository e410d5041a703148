package io.github.pveusbgadget.gadget;

import io.github.pveusbgadget.ToolException;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applies plans, step by step, with one task-log line per step. */
public final class PlanExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(PlanExecutor.class);

    private final StepContext context;
    private final FaultInjector faults;
    private final Map<String, Integer> stepsDone = new HashMap<>();

    public PlanExecutor(StepContext context, FaultInjector faults) {
        this.context = context;
        this.faults = faults;
    }

    /**
     * Applies every step of a plan of {@code operation} ({@code up}, {@code down}); the first failure stops it and is
     * thrown as a one-line {@link ToolException}. Steps are numbered across all plans of one operation.
     */
    public void apply(String operation, Plan plan) {
        for (Step step : plan.steps()) {
            LOG.info(step.describe());
            try {
                faults.beforeStep(operation, stepsDone.merge(operation, 1, Integer::sum), step);
                step.apply(context);
            } catch (IOException e) {
                throw ToolException.failed(step.describe() + " failed: " + reason(e), e);
            }
        }
    }

    /** Applies every step it can, going on after failures: for cleaning up after a failure. */
    public void applyBestEffort(Plan plan) {
        for (Step step : plan.steps()) {
            LOG.info("cleanup: {}", step.describe());
            try {
                step.apply(context);
            } catch (IOException | RuntimeException e) {
                LOG.warn("cleanup: {} failed: {}", step.describe(), reason(e));
            }
        }
    }

    static String reason(Exception e) {
        String message = e.getMessage();
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            message = fse.getReason();
        }
        return message == null ? e.getClass().getSimpleName() : message;
    }
}
