package io.github.pveusbgadget.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.Layout;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.io.PrintWriter;
import org.slf4j.LoggerFactory;

/**
 * Logback configured in code: no search for XML files on the start-up path of a hook. Until the command line is
 * parsed nothing is logged ({@link Configurator} found through the service loader); then {@link #install} sends
 * task-log lines, bare messages, to the command's error stream, at the level the parsed options ask for
 * ({@code -v}: debug detail with timestamps).
 */
public final class LogbackSetup extends ContextAwareBase implements Configurator {
    private static final String VERBOSE = "%d{HH:mm:ss.SSS} %-5level %logger{0}: %msg%n";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.OFF);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** Logs to {@code err}: messages only at info, or everything with timestamps when {@code verbose}. */
    public static void install(PrintWriter err, boolean verbose) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        Layout<ILoggingEvent> layout;
        if (verbose) {
            PatternLayout pattern = new PatternLayout();
            pattern.setPattern(VERBOSE);
            layout = pattern;
        } else {
            // A one-method layout: logback's PatternLayout loads and registers ~100 converter classes first, a cost
            // every VM start would pay.
            layout = new MessageOnlyLayout();
        }
        layout.setContext(context);
        layout.start();
        WriterAppender appender = new WriterAppender(err, layout);
        appender.setContext(context);
        appender.setName("err");
        appender.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();
        root.addAppender(appender);
        root.setLevel(verbose ? Level.DEBUG : Level.INFO);
    }

    /** Writes each event, laid out, to the command's error stream. */
    private static final class WriterAppender extends AppenderBase<ILoggingEvent> {
        private final PrintWriter out;
        private final Layout<ILoggingEvent> layout;

        WriterAppender(PrintWriter out, Layout<ILoggingEvent> layout) {
            this.out = out;
            this.layout = layout;
        }

        @Override
        protected void append(ILoggingEvent event) {
            out.print(layout.doLayout(event));
            out.flush();
        }
    }

    /** {@code %msg%n}: the formatted message and a line break. */
    private static final class MessageOnlyLayout extends LayoutBase<ILoggingEvent> {
        @Override
        public String doLayout(ILoggingEvent event) {
            return event.getFormattedMessage() + System.lineSeparator();
        }
    }
}
