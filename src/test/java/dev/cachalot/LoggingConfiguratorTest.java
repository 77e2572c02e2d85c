package dev.cachalot;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LoggingConfiguratorTest {

    @AfterEach
    void clearLevel() {
        System.clearProperty(LoggingConfigurator.LEVEL_VARIABLE);
    }

    @Test
    void configuresStderrWithCachalotAtInfoAndLibrariesAtWarn() {
        LoggerContext context = new LoggerContext();
        LoggingConfigurator configurator = new LoggingConfigurator();
        configurator.setContext(context);

        assertThat(configurator.configure(context)).isEqualTo(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);

        assertThat(context.getLogger("dev.cachalot.engine.Engine").getEffectiveLevel()).isEqualTo(Level.INFO);
        assertThat(context.getLogger("org.eclipse.jetty.server.Server").getEffectiveLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger("org.h2.engine.Database").getEffectiveLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger("okhttp3.OkHttpClient").getEffectiveLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger("com.example.Other").getEffectiveLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("STDERR"))
                .isInstanceOfSatisfying(ConsoleAppender.class, a -> assertThat(a.getTarget()).isEqualTo("System.err"));
    }

    @Test
    void takesCachalotsLevelFromCachalotLogLevel() {
        System.setProperty(LoggingConfigurator.LEVEL_VARIABLE, " debug ");
        assertThat(LoggingConfigurator.cachalotLevel()).isEqualTo(Level.DEBUG);
    }

    @Test
    void fallsBackToInfoOnAnUnknownLevelName() {
        System.setProperty(LoggingConfigurator.LEVEL_VARIABLE, "loud");
        assertThat(LoggingConfigurator.cachalotLevel()).isEqualTo(Level.INFO);
    }
}
