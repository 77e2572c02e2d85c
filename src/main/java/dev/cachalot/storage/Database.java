package dev.cachalot.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.h2.jdbcx.JdbcConnectionPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded H2 metadata database of one data folder, with versioned migrations.
 *
 * <p>Opened with {@code AUTO_SERVER=TRUE} so that a CLI command and a running engine (or the app) can share
 * one data folder: the first process opens the file, later ones connect to it through a loopback-only server.
 *
 * <p>Every change to configuration (rules, upstreams, credential sets) must call {@link #bumpConfigVersion}
 * in the same transaction; running engines poll {@link #configVersion()} and reload when it moves.
 */
public final class Database implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Database.class);

    /**
     * Migrations in order. Add a file under {@code src/main/resources/db/migration} and its name here.
     * Numbers by area so parallel work does not collide: 1–9 core, 10–19 credentials, 20–29 stats,
     * 30–39 rules, 40–49 import, 50–59 app.
     */
    static final List<String> MIGRATIONS = List.of(
            "V1__init.sql",
            "V20__storage_indexes.sql");

    private static final Pattern VERSION = Pattern.compile("V(\\d+)__.*\\.sql");

    /** Set by {@link #bumpConfigVersion} until the work that bumped is committed and signalled. */
    private static final ThreadLocal<Boolean> CONFIG_BUMPED = ThreadLocal.withInitial(() -> false);

    private final JdbcConnectionPool pool;
    private final Path configSignal;
    /** {@link java.io.File#lastModified()} is a bare {@code stat}, cheaper than the NIO file-attribute calls. */
    private final java.io.File configSignalFile;

    private Database(JdbcConnectionPool pool, Path configSignal) {
        this.pool = pool;
        this.configSignal = configSignal;
        this.configSignalFile = configSignal.toFile();
    }

    /** Opens (creating if needed) the database of {@code folder} and brings its schema up to date. */
    public static Database open(DataFolder folder) {
        folder.ensureCreated();
        // AUTO_SERVER listens for other processes; never on anything but loopback.
        System.setProperty("h2.bindAddress", "127.0.0.1");
        // H2 refuses AUTO_SERVER together with DB_CLOSE_ON_EXIT=FALSE, so H2 keeps its own close-on-exit hook:
        // work that runs in a JVM shutdown hook must not count on the database still being open.
        // VALUE is a keyword in H2 2.x; NON_KEYWORDS lets the settings table keep its plain column name "value".
        // QUERY_CACHE_SIZE: parsed statements kept per session. H2's default of 8 is fewer than a pull uses, so every
        // statement was parsed again on every request (the largest source of garbage under manifest load, by JFR).
        String url = "jdbc:h2:file:" + folder.database().resolve("cachalot").toString().replace('\\', '/')
                + ";AUTO_SERVER=TRUE;LOCK_TIMEOUT=10000;NON_KEYWORDS=VALUE;QUERY_CACHE_SIZE=64";
        JdbcConnectionPool pool = JdbcConnectionPool.create(url, "cachalot", "");
        pool.setMaxConnections(16);
        Database db = new Database(pool, folder.database().resolve("config.changed"));
        db.createConfigSignal();
        try {
            db.migrate();
        } catch (RuntimeException e) {
            pool.dispose();
            throw e;
        }
        return db;
    }

    /** A pooled connection in auto-commit mode; close it to return it. */
    public Connection connection() {
        try {
            return pool.getConnection();
        } catch (SQLException e) {
            throw new StorageException("cannot open metadata database: " + e.getMessage(), e);
        }
    }

    /** Work inside one transaction: committed when {@code work} returns, rolled back when it throws. */
    public <T> T inTransaction(SqlWork<T> work) {
        // Work nested in an enclosing transaction that already bumped leaves the signal to that one's commit.
        boolean enclosingBumped = CONFIG_BUMPED.get();
        try (Connection c = connection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                if (!enclosingBumped) signalIfConfigChanged();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                if (!enclosingBumped) CONFIG_BUMPED.remove(); // after a rollback there is nothing to signal
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StorageException("metadata database error: " + e.getMessage(), e);
        }
    }

    /** Runs {@code work} on an auto-commit connection. */
    public <T> T query(SqlWork<T> work) {
        boolean enclosingBumped = CONFIG_BUMPED.get();
        try (Connection c = connection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new StorageException("metadata database error: " + e.getMessage(), e);
        } finally {
            // Auto-commit: a bump is committed as it runs, even if the work fails afterwards.
            if (!enclosingBumped) signalIfConfigChanged();
        }
    }

    /**
     * Marks configuration as changed; call inside the transaction that changed it. Once that commits, the
     * {@linkplain #configSignal() signal file} changes too, so engines in other processes look at the version.
     */
    public static void bumpConfigVersion(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE config_version SET version = version + 1 WHERE id = 1");
        }
        CONFIG_BUMPED.set(true);
    }

    /**
     * A stamp of the signal file (its modification time): it moves after every committed configuration change, from
     * any process sharing the folder. One {@code stat}, where asking the database for {@link #configVersion()} twice
     * a second cost an idle engine ~7 ms of CPU every second (at that rate the SQL path is never compiled); a watcher
     * reads this often and the version only when the stamp moved, or once a minute in case a writer died between
     * its commit and its signal.
     */
    public long configSignal() {
        return configSignalFile.lastModified();
    }

    private void createConfigSignal() {
        if (!Files.exists(configSignal)) {
            writeConfigSignal();
        }
    }

    private void signalIfConfigChanged() {
        if (!CONFIG_BUMPED.get()) {
            return;
        }
        CONFIG_BUMPED.remove();
        writeConfigSignal();
    }

    private void writeConfigSignal() {
        try {
            long previous = configSignalFile.lastModified();
            Files.writeString(configSignal, Long.toHexString(System.nanoTime()), StandardCharsets.US_ASCII);
            // File systems stamp writes with a coarse clock (a few ms on Linux): two changes in a row could share a
            // time, so the stamp is moved past the previous one explicitly.
            configSignalFile.setLastModified(Math.max(System.currentTimeMillis(), previous + 1));
        } catch (IOException e) {
            // Watchers still read the version every few seconds.
            log.debug("cannot write the configuration signal {}", configSignal, e);
        }
    }

    /** A number that grows whenever configuration changes, in this or another process. */
    public long configVersion() {
        return query(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT version FROM config_version WHERE id = 1")) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        });
    }

    private void migrate() {
        inTransaction(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INT PRIMARY KEY, script VARCHAR(200) NOT NULL, "
                        + "applied_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL)");
            }
            // Applied versions as a set, not a maximum: areas number their migrations in separate ranges, so a
            // low-numbered one (say V10) may arrive after a higher one (V20) was applied and must still run.
            java.util.Set<Integer> applied = new java.util.HashSet<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT version FROM schema_version")) {
                while (rs.next()) applied.add(rs.getInt(1));
            }
            for (String script : MIGRATIONS) {
                Matcher m = VERSION.matcher(script);
                if (!m.matches()) throw new IllegalStateException("bad migration name " + script);
                int version = Integer.parseInt(m.group(1));
                if (applied.contains(version)) continue;
                log.debug("Applying database migration {}", script);
                for (String sql : statements(script)) {
                    try (Statement s = c.createStatement()) {
                        s.execute(sql);
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO schema_version (version, script) VALUES (?, ?)")) {
                    ps.setInt(1, version);
                    ps.setString(2, script);
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }

    private static List<String> statements(String script) {
        try (InputStream in = Database.class.getResourceAsStream("/db/migration/" + script)) {
            if (in == null) throw new IllegalStateException("missing migration " + script);
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return java.util.Arrays.stream(text.replaceAll("(?m)^--.*$", "").split(";"))
                    .map(String::strip).filter(s -> !s.isEmpty()).toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read migration " + script, e);
        }
    }

    @Override
    public void close() {
        pool.dispose();
    }

    /** A unit of JDBC work. */
    @FunctionalInterface
    public interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }
}
