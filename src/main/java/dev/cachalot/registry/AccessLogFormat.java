package dev.cachalot.registry;

/**
 * The access log's form: one line per request on the {@value #LOGGER} logger (time, client address, user, method,
 * path, status, body bytes, duration, cache source). Off by default for the desktop app, plain for {@code serve}.
 */
public enum AccessLogFormat {
    OFF, PLAIN, JSON;

    /** The logger the lines go to; the default logging set-up prints them bare on standard output. */
    public static final String LOGGER = "dev.cachalot.access";
}
