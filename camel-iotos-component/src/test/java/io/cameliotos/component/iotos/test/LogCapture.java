package io.cameliotos.component.iotos.test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Captures the log events of the JVM at the given level and above, with stack traces, while it is open.
 */
public final class LogCapture implements AutoCloseable {

    private final List<String> lines = new ArrayList<>();
    private final Appender appender = new Appender();
    private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
    private final Level previousRootLevel;

    /** Captures DEBUG and above: everything a production log could be configured to show short of TRACE. */
    public LogCapture() {
        this(Level.DEBUG);
    }

    public LogCapture(Level level) {
        appender.start();
        Configuration config = context.getConfiguration();
        LoggerConfig root = config.getRootLogger();
        previousRootLevel = root.getLevel();
        root.addAppender(appender, level, null);
        root.setLevel(level);
        config.getLoggers().values().forEach(logger -> {
            if (logger != root) {
                logger.addAppender(appender, level, null);
            }
        });
        context.updateLoggers();
    }

    /** Everything logged so far, one entry per event, including the stack trace of its exception. */
    public synchronized String text() {
        return String.join("\n", lines);
    }

    @Override
    public void close() {
        Configuration config = context.getConfiguration();
        config.getLoggers().values().forEach(logger -> logger.removeAppender(appender.getName()));
        config.getRootLogger().removeAppender(appender.getName());
        config.getRootLogger().setLevel(previousRootLevel);
        context.updateLoggers();
        appender.stop();
    }

    private final class Appender extends AbstractAppender {
        Appender() {
            super("iotos-log-capture", null, null, true, Property.EMPTY_ARRAY);
        }

        @Override
        public void append(LogEvent event) {
            StringBuilder sb = new StringBuilder();
            sb.append(event.getLevel()).append(' ').append(event.getLoggerName()).append(" - ")
                    .append(event.getMessage().getFormattedMessage());
            if (event.getThrown() != null) {
                StringWriter trace = new StringWriter();
                event.getThrown().printStackTrace(new PrintWriter(trace));
                sb.append('\n').append(trace);
            }
            synchronized (LogCapture.this) {
                lines.add(sb.toString());
            }
        }
    }
}
