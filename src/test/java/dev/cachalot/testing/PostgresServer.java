package dev.cachalot.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL 15 (Debian's {@code postgresql}) in a temp folder on a free loopback port: {@code initdb} and
 * {@code pg_ctl} run as the unprivileged {@code postgres} user when the tests run as root (initdb refuses root), the
 * unix socket stays inside the temp folder, and the server is stopped by the PID in its {@code postmaster.pid}.
 *
 * <p>Started once per JVM ({@link #shared()}), since initdb costs about a second; tests isolate themselves with a
 * {@linkplain #newDatabase() database of their own}. Durability is switched off (fsync, synchronous commit): the data
 * is thrown away, and the tests check behaviour, not crash safety.
 */
public final class PostgresServer implements AutoCloseable {
    private static final String BIN = "/usr/lib/postgresql/15/bin/";
    private static final String SUPERUSER = "cachalot";
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    private static PostgresServer shared;

    private final Path root;
    private final int port;
    private final long pid;
    private final String password;
    private final AtomicInteger databases = new AtomicInteger();

    /** A database on this server, and the superuser's login to it. */
    public record Database(String url, String user, String password, String name) {
    }

    private PostgresServer(Path root, int port, long pid, String password) {
        this.root = root;
        this.port = port;
        this.pid = pid;
        this.password = password;
    }

    /** The server of this JVM, started on first use and stopped when the JVM exits. */
    public static synchronized PostgresServer shared() {
        if (shared == null) {
            PostgresServer server = start();
            Runtime.getRuntime().addShutdownHook(new Thread(server::stopAtExit, "postgres-stop"));
            shared = server;
        }
        return shared;
    }

    /** A new server of the caller's own; close it when done. */
    public static PostgresServer start() {
        Path initdb = RequiredBinary.require(BIN + "initdb", "postgresql");
        Path pgCtl = RequiredBinary.require(BIN + "pg_ctl", "postgresql");
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = TempDirs.create("cachalot-pg");
        try {
            if (root) {
                run(List.of("chown", "postgres:postgres", dir.toString()), dir, false);
            }
            String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
            Path pwfile = dir.resolve("pw");
            Files.writeString(pwfile, password + "\n", StandardCharsets.UTF_8);
            if (root) run(List.of("chown", "postgres:postgres", pwfile.toString()), dir, false);
            Path data = dir.resolve("data");
            Path sockets = dir.resolve("sock");
            run(List.of(initdb.toString(), "-D", data.toString(), "-U", SUPERUSER, "--pwfile=" + pwfile,
                    "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync",
                    "--no-instructions"), dir, root);
            run(List.of("mkdir", "-p", sockets.toString()), dir, root);
            IOException last = null;
            for (int attempt = 0; attempt < 3; attempt++) {
                int port = Ports.free();
                try {
                    run(List.of(pgCtl.toString(), "-D", data.toString(), "-l", dir.resolve("server.log").toString(), "-w",
                            "-t", "60", "-o", "-p " + port + " -k " + sockets + " -c listen_addresses=127.0.0.1"
                                    + " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300",
                            "start"), dir, root);
                    long pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).strip());
                    return new PostgresServer(dir, port, pid, password);
                } catch (IOException e) {
                    last = e; // most likely the port was taken between choosing and binding it: try another
                }
            }
            throw new UncheckedIOException("PostgreSQL did not start; log: " + log(dir), last);
        } catch (IOException e) {
            TempDirs.deleteQuietly(dir);
            throw new UncheckedIOException("cannot set up PostgreSQL in " + dir, e);
        }
    }

    public int port() {
        return port;
    }

    /** The server's log (what {@code log_statement} and friends write). */
    public Path log() {
        return root.resolve("server.log");
    }

    /** The postmaster's process id. */
    public long pid() {
        return pid;
    }

    /** A new, empty database owned by the superuser; nothing else uses it. */
    public Database newDatabase() {
        return newDatabase("template1");
    }

    /**
     * A new database, a copy of {@code template} (which nobody may be connected to while it is copied): a schema
     * migrated once is copied in a few milliseconds, where migrating each new database costs a second.
     */
    public Database newDatabase(String template) {
        String name = "t" + databases.incrementAndGet();
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name + " TEMPLATE " + template);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
        return new Database(url(name), SUPERUSER, password, name);
    }

    /** A superuser connection to the {@code postgres} database, for fixture work (terminating backends...). */
    public Connection admin() throws SQLException {
        return DriverManager.getConnection(url("postgres"), SUPERUSER, password);
    }

    private String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** Stops the server and deletes its folder. */
    @Override
    public void close() {
        stop();
        TempDirs.deleteQuietly(root);
    }

    /**
     * At JVM exit: stops the server, and leaves deleting its folder (a copy of template1, ~8 MB, per database the
     * tests created: tens of thousands of files) to an {@code rm} that outlives the JVM, so that the test JVM's exit
     * does not wait for it (surefire kills a fork that takes more than 30 s to exit).
     */
    private void stopAtExit() {
        stop();
        try {
            new ProcessBuilder("rm", "-rf", root.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            TempDirs.deleteQuietly(root);
        }
    }

    /** Fast shutdown (SIGINT: sessions are ended, not waited for) by PID, then SIGKILL if it lingers. */
    private void stop() {
        Optional<ProcessHandle> postmaster = ProcessHandle.of(pid);
        if (postmaster.isPresent()) {
            try {
                new ProcessBuilder("kill", "-INT", Long.toString(pid)).start().waitFor(5, TimeUnit.SECONDS);
                postmaster.get().onExit().get(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                postmaster.get().destroyForcibly();
                if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            }
        }
    }

    private static String log(Path dir) {
        try {
            return Files.readString(dir.resolve("server.log"));
        } catch (IOException e) {
            return "(none)";
        }
    }

    /** Runs {@code command} to completion, as the postgres user if {@code asPostgres}; fails with its output. */
    private static void run(List<String> command, Path dir, boolean asPostgres) throws IOException {
        List<String> full = new ArrayList<>();
        if (asPostgres) full.addAll(List.of("runuser", "-u", "postgres", "--"));
        full.addAll(command);
        Path output = dir.resolve("command.out");
        Process p = new ProcessBuilder(full).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        try {
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                Processes.stop(p, Duration.ofSeconds(5));
                throw new IOException(String.join(" ", command) + " did not finish");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + Files.readString(output));
        }
    }
}
