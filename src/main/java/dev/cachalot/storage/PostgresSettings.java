package dev.cachalot.storage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where the shared PostgreSQL metadata database of several engines is, and how to log in to it. The password never
 * travels in the URL, on a command line or in {@link #toString()}: it comes from the environment or from a file (a
 * mounted secret), and only the JDBC driver sees it.
 *
 * @param url a {@code jdbc:postgresql://host[:port]/database} URL without credentials in it
 */
public record PostgresSettings(String url, String user, String password) {

    public static final String URL_ENV = "CACHALOT_DATABASE_URL";
    public static final String USER_ENV = "CACHALOT_DATABASE_USER";
    public static final String PASSWORD_ENV = "CACHALOT_DATABASE_PASSWORD";
    public static final String PASSWORD_FILE_ENV = "CACHALOT_DATABASE_PASSWORD_FILE";

    public PostgresSettings {
        if (url == null || !url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("the database URL must start with jdbc:postgresql:");
        }
        // A password in the URL would end up wherever the URL is shown (Flyway logs it at start).
        String query = url.toLowerCase(Locale.ROOT);
        if (query.contains("password=") || query.matches("jdbc:postgresql://[^/]*@.*")) {
            throw new IllegalArgumentException("the database URL must not contain a password: give it in "
                    + PASSWORD_ENV + " or a file named by " + PASSWORD_FILE_ENV);
        }
        if (user == null || user.isBlank()) {
            throw new IllegalArgumentException("a database user is needed (" + USER_ENV + ")");
        }
    }

    /**
     * The settings in {@code env} ({@value #URL_ENV}, {@value #USER_ENV}, and {@value #PASSWORD_ENV} or
     * {@value #PASSWORD_FILE_ENV}); empty when no URL is set, which means the embedded H2 database.
     */
    public static Optional<PostgresSettings> fromEnvironment(Function<String, String> env) {
        String url = env.apply(URL_ENV);
        if (url == null || url.isBlank()) {
            return Optional.empty();
        }
        String password = env.apply(PASSWORD_ENV);
        String passwordFile = env.apply(PASSWORD_FILE_ENV);
        if ((password == null || password.isEmpty()) && passwordFile != null && !passwordFile.isBlank()) {
            password = readPasswordFile(Path.of(passwordFile));
        }
        return Optional.of(new PostgresSettings(url.strip(), env.apply(USER_ENV), password));
    }

    private static String readPasswordFile(Path file) {
        try {
            // One line, as secret mounts and `echo pw > file` write it: the trailing newline is not part of it.
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new StorageException("cannot read the database password file " + file + ": " + e.getClass().getSimpleName());
        }
    }

    @Override
    public String toString() {
        return "PostgresSettings[url=" + url + ", user=" + user + ", password=" + (password == null ? "none" : "***") + "]";
    }
}
