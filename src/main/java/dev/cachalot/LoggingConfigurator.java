package dev.cachalot;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.Logger;

/**
 * Cachalot's logging set-up, in code rather than {@code logback.xml}: parsing XML (Joran and an XML parser) cost
 * a fifth of the engine's start-up. Logback finds this class through {@code META-INF/services}.
 *
 * <p>Output: one line per event on stderr, {@code HH:mm:ss.SSS LEVEL Logger - message}. Levels: {@code dev.cachalot}
 * at {@code CACHALOT_LOG_LEVEL} (environment variable or system property, default INFO; one line per request at
 * DEBUG), Jetty, OkHttp, H2 and everything else at WARN. Secrets are never logged. The access log, when on, goes to
 * stdout as bare lines.
 *
 * <p>A {@code logback.configurationFile} system property or a {@code logback-test.xml} on the class path still wins:
 * this configurator then steps aside and logback's own XML configuration runs.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class LoggingConfigurator extends ContextAwareBase implements Configurator {

    static final String LEVEL_VARIABLE = "CACHALOT_LOG_LEVEL";
    static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{0} - %msg%n";
    /** {@code registry.AccessLogFormat.LOGGER}, spelled out: this class loads before anything of the engine. */
    static final String ACCESS_LOGGER = "dev.cachalot.access";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null
                || LoggingConfigurator.class.getClassLoader().getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();

        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();

        // The access log (serve's --access-log): bare lines on stdout, whatever CACHALOT_LOG_LEVEL says, so they can be
        // piped or collected apart from the diagnostics on stderr.
        PatternLayoutEncoder bare = new PatternLayoutEncoder();
        bare.setContext(context);
        bare.setPattern("%msg%n");
        bare.start();
        ConsoleAppender<ILoggingEvent> stdout = new ConsoleAppender<>();
        stdout.setContext(context);
        stdout.setName("ACCESS");
        stdout.setTarget("System.out");
        stdout.setEncoder(bare);
        stdout.start();
        ch.qos.logback.classic.Logger access = context.getLogger(ACCESS_LOGGER);
        access.setLevel(Level.INFO);
        access.setAdditive(false);
        access.addAppender(stdout);

        context.getLogger("org.eclipse.jetty").setLevel(Level.WARN);
        context.getLogger("okhttp3").setLevel(Level.WARN);
        context.getLogger("org.h2").setLevel(Level.WARN);
        context.getLogger("dev.cachalot").setLevel(cachalotLevel());
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(stderr);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** The level of Cachalot's own loggers: {@value #LEVEL_VARIABLE} as a system property or environment variable. */
    static Level cachalotLevel() {
        String value = System.getProperty(LEVEL_VARIABLE);
        if (value == null || value.isBlank()) value = System.getenv(LEVEL_VARIABLE);
        // An unknown name falls back to INFO rather than failing start-up over a typo.
        return Level.toLevel(value == null ? null : value.strip(), Level.INFO);
    }
}
