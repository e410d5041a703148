package io.github.pveusbgadget.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.LoggerFactory;

/**
 * Logback configured in code, found through the {@link Configurator} service: no search for XML files on the
 * start-up path of a hook. Task-log lines are bare messages on standard error; {@code -v} adds debug detail.
 */
public final class LogbackSetup extends ContextAwareBase implements Configurator {
    private static final String VERBOSE = "%d{HH:mm:ss.SSS} %-5level %logger{0}: %msg%n";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        // The plain format is the hook's: a bare message per line. It is written by a one-method layout, because
        // logback's PatternLayout loads and registers ~100 converter classes first, a cost every VM start would pay.
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        MessageOnlyLayout layout = new MessageOnlyLayout();
        layout.setContext(context);
        layout.start();
        encoder.setLayout(layout);
        install(context, encoder, Level.INFO);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** Switches to debug output with timestamps (for {@code -v}). */
    public static void verbose() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.reset();
            PatternLayoutEncoder encoder = new PatternLayoutEncoder();
            encoder.setContext(context);
            encoder.setPattern(VERBOSE);
            install(context, encoder, Level.DEBUG);
        }
    }

    private static void install(LoggerContext context, Encoder<ILoggingEvent> encoder, Level level) {
        encoder.start();
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName("console");
        appender.setTarget("System.err");
        appender.setEncoder(encoder);
        appender.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();
        root.addAppender(appender);
        root.setLevel(level);
    }

    /** {@code %msg%n}: the formatted message and a line break. */
    private static final class MessageOnlyLayout extends LayoutBase<ILoggingEvent> {
        @Override
        public String doLayout(ILoggingEvent event) {
            return event.getFormattedMessage() + System.lineSeparator();
        }
    }
}
