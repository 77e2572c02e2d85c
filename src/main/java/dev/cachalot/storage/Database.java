package dev.cachalot.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.jdbcx.JdbcConnectionPool;
import org.h2.jdbcx.JdbcDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metadata database, its schema kept up to date by Flyway: the embedded H2 database of one data folder (the
 * default), or a PostgreSQL database that several engines share ({@link #openShared}). The same migrations and the
 * same SQL run on both; see docs/decisions/0013-postgresql-metadata.md.
 *
 * <p>H2 is opened with {@code AUTO_SERVER=TRUE} so that a CLI command and a running engine (or the app) can share
 * one data folder: the first process opens the file, later ones connect to it through a loopback-only server.
 *
 * <p>Every change to configuration (rules, upstreams, credential sets) must call {@link #bumpConfigVersion}
 * in the same transaction. On H2, running engines compare the token in {@link #configSignalFile()} on every request
 * and reload when it moved; on a {@linkplain #isShared() shared} database there is no file all nodes can see, and they
 * read {@link #configVersion()} instead.
 */
public final class Database implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Database.class);

    /**
     * Where the migrations live. Numbers by area so parallel work does not collide: 1–9 core, 10–19 credentials,
     * 20–29 stats, 30–39 rules, 40–49 import, 50–59 app, 60 users and access tokens. File names {@code V<n>__<what>.sql}, whole numbers only.
     */
    static final String MIGRATIONS = "classpath:db/migration";

    /**
     * The versions of the scripts in {@link #MIGRATIONS}; {@code DatabaseTest} fails when a script is missing here.
     * Only for the check that nothing is pending: starting Flyway costs ~230 ms of CPU (≈390 classes loaded, its
     * plugins, the classpath scan, validation), measured on every engine start, while one query on its history
     * table tells whether it would do anything.
     */
    static final List<Integer> SHIPPED_VERSIONS = List.of(1, 20, 40, 60, 61, 62, 67, 68, 69, 70);

    /** The history table of the hand-written runner that came before Flyway: {@code (version, script, applied_at)}. */
    static final String LEGACY_HISTORY = "SCHEMA_VERSION";

    /** Set by {@link #bumpConfigVersion} until the work that bumped is committed and signalled. */
    private static final ThreadLocal<Boolean> CONFIG_BUMPED = ThreadLocal.withInitial(() -> false);

    private final DataSource pool;
    private final Runnable closePool;
    /** Null for H2. */
    private final PostgresSettings shared;
    /** Null on a shared database: no file reaches every node. */
    private final Path configSignal;
    /** {@link java.io.File#lastModified()} is a bare {@code stat}, cheaper than the NIO file-attribute calls. */
    private final java.io.File configSignalFile;

    /**
     * Below this much free space on the volume of an embedded database, a write is refused before H2 tries it. With
     * every commit written to the file as it happens (WRITE_DELAY=0), a write that fails for want of space makes H2
     * close the whole database, and every request after it would fail until a restart; refused here, the write fails
     * alone and reads go on (cached content is still served, decision 0030). Content stops earlier: {@code
     * proxy.DiskRoom} keeps 1% of the volume (at most 256 MiB) free of blobs, so this room is left for the database.
     */
    static final long WRITE_ROOM = 4L * 1024 * 1024;

    /**
     * The embedded database's page cache, in KiB, as {@link #releaseIdleCache} sets it: what H2 gives a 256 MiB heap
     * bound (the launcher's) by default. H2 keeps the setting in the database, so it is a constant, never a share of
     * the heap of whichever process set it last.
     */
    static final int PAGE_CACHE_KIB = 16 * 1024;

    /** The volume of an embedded database's file; null on a shared database. */
    private final FileStore volume;

    /**
     * An embedded database file at least this large is compacted as it closes when less than half of it holds live
     * data ({@link #compactIfMostlyFree}). Below it the space H2 keeps is not worth a longer stop.
     */
    static final long COMPACT_MIN_FILE_BYTES = 64L * 1024 * 1024;

    /** The embedded database's JDBC URL; null on a shared database. */
    private final String embeddedUrl;

    /** The embedded database's user (its creator, an admin); no password: the file is the data folder's. */
    private static final String USER = "cachalot";

    /** H2's base name in the database folder, and its file. */
    static final String NAME = "cachalot";
    static final String FILE_NAME = NAME + ".mv.db";

    private Database(DataSource pool, Runnable closePool, Path configSignal, PostgresSettings shared, String embeddedUrl) {
        this.embeddedUrl = embeddedUrl;
        this.pool = pool;
        this.closePool = closePool;
        this.shared = shared;
        this.configSignal = configSignal;
        this.configSignalFile = configSignal == null ? null : configSignal.toFile();
        this.volume = configSignal == null ? null : fileStoreOf(configSignal.getParent());
    }

    private static FileStore fileStoreOf(Path folder) {
        try {
            return Files.getFileStore(folder);
        } catch (IOException e) {
            return null; // no check then: H2 reports a full volume itself
        }
    }

    /** Refuses a write when the embedded database's volume is nearly full ({@link #WRITE_ROOM}). */
    private void requireRoomToWrite() {
        if (volume == null) return;
        long usable;
        try {
            usable = volume.getUsableSpace();
        } catch (IOException e) {
            return;
        }
        if (usable < WRITE_ROOM) {
            throw new StorageException("not enough disk space to write the metadata database: " + usable / 1024
                    + " KiB free on its volume, " + WRITE_ROOM / (1024 * 1024) + " MiB needed; free some space (cachalot gc)");
        }
    }

    /** Opens (creating if needed) the database of {@code folder} and brings its schema up to date. */
    public static Database open(DataFolder folder) {
        folder.ensureCreated();
        // AUTO_SERVER listens for other processes; never on anything but loopback.
        System.setProperty("h2.bindAddress", "127.0.0.1");
        // H2 refuses AUTO_SERVER together with DB_CLOSE_ON_EXIT=FALSE, so H2 keeps its own close-on-exit hook:
        // work that runs in a JVM shutdown hook must not count on the database still being open. Hence a stop signal
        // closes the engine before the JVM's shutdown begins (dev.cachalot.StopSignals, decision 0032).
        // VALUE is a keyword in H2 2.x; NON_KEYWORDS lets the settings table keep its plain column name "value".
        // QUERY_CACHE_SIZE: parsed statements kept per session. H2's default of 8 is fewer than a pull uses, so every
        // statement was parsed again on every request (the largest source of garbage under manifest load, by JFR).
        // WRITE_DELAY=0: every commit writes its changes to the file before it returns, so what an engine confirmed
        // (a pushed manifest's 201, a created rule) survives the process being killed right after. By default H2 writes
        // commits within 500 ms in the background and a SIGKILL in between lost them. The write reaches the OS, not
        // the disk (no fsync): power loss may still take the last commits. docs/decisions/0030-durable-commits.md
        String url = "jdbc:h2:file:" + folder.database().resolve(NAME).toString().replace('\\', '/')
                + ";AUTO_SERVER=TRUE;LOCK_TIMEOUT=10000;NON_KEYWORDS=VALUE;QUERY_CACHE_SIZE=64;WRITE_DELAY=0";
        JdbcConnectionPool pool = JdbcConnectionPool.create(url, USER, "");
        pool.setMaxConnections(16);
        Database db = new Database(pool, pool::dispose, folder.database().resolve("config.changed"), null, url);
        db.createConfigSignal();
        try {
            db.migrate();
        } catch (RuntimeException e) {
            pool.dispose();
            throw e;
        }
        return db;
    }

    /**
     * Opens the PostgreSQL database that several engines share and brings its schema up to date (Flyway takes a
     * PostgreSQL advisory lock while it migrates, so nodes starting together apply each script once).
     *
     * <p>The pool is HikariCP, not H2's: a server's connections can break under it (a restart, a failover, an idle
     * timeout in between, {@code pg_terminate_backend}), and Hikari checks a connection before lending it and replaces
     * broken ones, where H2's pool would hand the dead connection out again.
     */
    public static Database openShared(PostgresSettings settings) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("cachalot-metadata");
        config.setJdbcUrl(settings.url());
        config.setUsername(settings.user());
        config.setPassword(settings.password());
        config.setMaximumPoolSize(16);
        // Hikari opens the whole pool at once by default: 16 sessions (each a server process and a SCRAM login) per node
        // before the first request, most of them idle for good on a quiet node. It grows on demand instead.
        config.setMinimumIdle(2);
        // Fail the open (and a request) after 10 s without a connection, as H2's LOCK_TIMEOUT does for locks.
        config.setConnectionTimeout(10_000);
        config.setInitializationFailTimeout(10_000);
        // The name shows in pg_stat_activity, so operators can tell Cachalot's connections from others.
        config.addDataSourceProperty("ApplicationName", "cachalot");
        // Pull events are written in JDBC batches; this sends a batch as one multi-row INSERT instead of one per event.
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            // Hikari wraps the driver's message ("Connection to 127.0.0.1:5432 refused", "password authentication
            // failed for user ..."), which names no secret.
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new StorageException("cannot connect to the metadata database " + settings.url() + ": " + cause.getMessage(), e);
        }
        log.info("Metadata in the shared PostgreSQL database {} as {}", settings.url(), settings.user());
        Database db = new Database(pool, pool::close, null, settings, null);
        try {
            db.migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return db;
    }

    /**
     * True for a database that engines on other machines may share (PostgreSQL): changes by other nodes are only
     * seen in the database itself, never in {@link #configSignalFile()}, and locks must be taken in the database.
     */
    public boolean isShared() {
        return shared != null;
    }

    /**
     * Empties the embedded database's page cache, for an idle process's collection to free: full after a burst of
     * requests (H2 counted 15 of its 16 MiB), it held 6 of the 21 MiB an idle engine's heap kept live after its
     * collection (docs/decisions/0038-idle-release.md). Setting H2's cache size clears the cache
     * (H2 2.x, {@code FileStore.setCacheSize}); pages are read from the file again as they are needed. Nothing on a
     * shared database: its cache is the server's.
     */
    public void releaseIdleCache() {
        if (isShared()) return;
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("SET CACHE_SIZE " + PAGE_CACHE_KIB);
        } catch (SQLException | IllegalStateException e) { // IllegalStateException: the database closed meanwhile
            log.debug("Emptying the database's page cache failed: {}", e.getMessage());
        }
    }

    /** A pooled connection in auto-commit mode; close it to return it. */
    public Connection connection() {
        try {
            return pool.getConnection();
        } catch (SQLException e) {
            throw new StorageException("cannot open metadata database: " + e.getMessage(), e);
        }
    }

    /**
     * A new connection of the shared database outside the pool, whose session ends when it is closed (a pooled
     * connection's session lives on in the pool, and with it any session-level lock taken on it).
     */
    Connection openSession(String purpose) {
        if (shared == null) throw new IllegalStateException("only a shared database has sessions of its own");
        Properties login = new Properties();
        login.setProperty("user", shared.user());
        if (shared.password() != null) login.setProperty("password", shared.password());
        login.setProperty("ApplicationName", "cachalot " + purpose);
        try {
            return new org.postgresql.Driver().connect(shared.url(), login);
        } catch (SQLException e) {
            throw new StorageException("cannot connect to the metadata database " + shared.url() + ": " + e.getMessage(), e);
        }
    }

    /** Work inside one transaction: committed when {@code work} returns, rolled back when it throws. */
    public <T> T inTransaction(SqlWork<T> work) {
        // Work nested in an enclosing transaction that already bumped leaves the signal to that one's commit.
        boolean enclosingBumped = CONFIG_BUMPED.get();
        requireRoomToWrite();
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

    /** Runs {@code work} on an auto-commit connection: reads (writes go through {@link #inTransaction}). */
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
     * The signal file itself: after every committed configuration change it holds a new token (never the same twice),
     * so a reader that compares tokens cannot miss a change the way a millisecond file time can. Null on a
     * {@linkplain #isShared() shared} database.
     */
    public Path configSignalFile() {
        return configSignal;
    }

    /**
     * A stamp of the signal file (its modification time): it moves after every committed configuration change, from
     * any process sharing the folder. One {@code stat}, where asking the database for {@link #configVersion()} twice
     * a second cost an idle engine ~7 ms of CPU every second (at that rate the SQL path is never compiled); a watcher
     * reads this often and the version only when the stamp moved, or once a minute in case a writer died between
     * its commit and its signal. 0 on a shared database.
     */
    public long configSignal() {
        return configSignalFile == null ? 0 : configSignalFile.lastModified();
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
        if (configSignal != null) writeConfigSignal();
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

    /**
     * Brings the schema up to date with Flyway, which is only started when something is pending. Out of order on
     * purpose: areas number their migrations in separate ranges, so a low-numbered one (say V10) may land after a
     * higher one (V20) was applied and must still run.
     *
     * <p>A database written before Flyway took over has the old runner's {@code schema_version} table and no
     * Flyway history: it is baselined at the highest version the old runner recorded, so nothing runs twice. The old
     * runner only ever knew V1 and V20 and applied every known script on each open, so what it recorded is always a
     * prefix of today's scripts and its highest version says everything. Its table is left in place: it is small,
     * and an older Cachalot opening this folder again still finds what it expects.
     */
    private void migrate() {
        History history = query(History::read);
        if (history.covers(SHIPPED_VERSIONS)) {
            return;
        }
        FluentConfiguration flyway = Flyway.configure()
                .dataSource(pool)
                .locations(MIGRATIONS)
                .outOfOrder(true);
        if (isShared()) {
            flyway.javaMigrations(new PostgresTypes());
        }
        if (history.legacyVersion() > 0) {
            flyway.baselineOnMigrate(true)
                    .baselineVersion(Integer.toString(history.legacyVersion()))
                    .baselineDescription("taken over from " + LEGACY_HISTORY.toLowerCase(Locale.ROOT));
        }
        try {
            flyway.load().migrate();
        } catch (FlywayException e) {
            throw new StorageException("cannot bring the metadata database up to date: " + e.getMessage(), e);
        }
    }

    /**
     * What a database says about its migrations: the versions in Flyway's history (empty when it has none), the
     * highest of them that is a baseline, and the highest version the pre-Flyway runner recorded when only its
     * table exists (else 0).
     */
    private record History(Set<Integer> applied, int baseline, int legacyVersion) {

        private static final String FLYWAY_HISTORY = "flyway_schema_history";

        static History read(Connection c) throws SQLException {
            Set<String> tables = new HashSet<>();
            // H2 folds unquoted names to upper case and PostgreSQL to lower case: compared in upper case, one query
            // finds the old runner's SCHEMA_VERSION and Flyway's quoted "flyway_schema_history" on both.
            try (PreparedStatement ps = c.prepareStatement("SELECT UPPER(TABLE_NAME) FROM INFORMATION_SCHEMA.TABLES"
                    + " WHERE UPPER(TABLE_SCHEMA) = UPPER(CURRENT_SCHEMA) AND UPPER(TABLE_NAME) IN (?, ?)")) {
                ps.setString(1, LEGACY_HISTORY.toUpperCase(Locale.ROOT));
                ps.setString(2, FLYWAY_HISTORY.toUpperCase(Locale.ROOT));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) tables.add(rs.getString(1));
                }
            }
            if (!tables.contains(FLYWAY_HISTORY.toUpperCase(Locale.ROOT))) {
                int legacy = 0;
                if (tables.contains(LEGACY_HISTORY)) {
                    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT MAX(version) FROM " + LEGACY_HISTORY)) {
                        legacy = rs.next() ? rs.getInt(1) : 0;
                    }
                }
                return new History(Set.of(), 0, legacy);
            }
            Set<Integer> applied = new HashSet<>();
            int baseline = 0;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT \"version\", \"type\" FROM \""
                    + FLYWAY_HISTORY + "\" WHERE \"success\" AND \"version\" IS NOT NULL")) {
                while (rs.next()) {
                    int version;
                    try {
                        version = Integer.parseInt(rs.getString(1));
                    } catch (NumberFormatException e) {
                        continue; // not one of ours: Flyway decides about it
                    }
                    applied.add(version);
                    if ("BASELINE".equals(rs.getString(2))) baseline = Math.max(baseline, version);
                }
            }
            return new History(applied, baseline, 0);
        }

        /** True if every one of {@code versions} was applied or lies at or below a baseline. */
        boolean covers(List<Integer> versions) {
            if (applied.isEmpty()) return false;
            for (int v : versions) {
                if (v > baseline && !applied.contains(v)) return false;
            }
            return true;
        }
    }

    @Override
    public void close() {
        close(COMPACT_MIN_FILE_BYTES);
    }

    /** Closes, compacting an embedded database file of at least {@code compactMinFileBytes} that is mostly free. */
    void close(long compactMinFileBytes) {
        if (!(pool instanceof JdbcConnectionPool h2) || h2.getActiveConnections() > 0
                || databaseFile().toFile().length() < compactMinFileBytes) {
            // Shared, someone still works on it (the database closes with the last one), or too small to bother.
            closePool.run();
            return;
        }
        Connection last;
        try {
            // Not a pooled one: closing a pooled connection rolls back first, and on the database SHUTDOWN COMPACT closed
            // that fails and H2 writes the stack trace to a cachalot.trace.db in the data folder.
            JdbcDataSource source = new JdbcDataSource();
            source.setURL(embeddedUrl);
            source.setUser(USER);
            source.setPassword("");
            last = source.getConnection();
        } catch (SQLException | RuntimeException e) {
            log.debug("No connection to compact the metadata database with: {}", e.getMessage());
            closePool.run();
            return;
        }
        closePool.run(); // the pool's connections close; this last one keeps the database open
        try (Connection c = last) {
            compactIfMostlyFree(c);
        } catch (SQLException | IOException | RuntimeException e) {
            log.warn("Compacting the metadata database as it closed failed (nothing is lost; the file stays as large as"
                    + " it was): {}", e.getMessage());
        }
    }

    /**
     * H2 reuses the space of deleted rows but never gives the file back while it is open: after a burst of pull events
     * a data folder kept 0.6–1.5 GB of file for 8–70 MB of data. As the last connection closes, {@code SHUTDOWN
     * COMPACT} copies the live data into a new file and replaces the old one with it (a stop killed halfway leaves
     * the old file whole): 1.59 GB with 2% live became 7.9 MB in 0.9 s, 896 MB holding 1.1 million pull events 67 MB
     * in 3.5 s. Only when this connection opened the file itself and is its only session: through another process's
     * AUTO_SERVER, or beside another connection, it would shut a database down under someone.
     */
    private void compactIfMostlyFree(Connection c) throws SQLException, IOException {
        StoreUse use = StoreUse.of(c);
        if (use.liveBytes() * 2 > use.fileBytes()) return; // close() checked the file's size
        if (!(c.unwrap(JdbcConnection.class).getSession() instanceof SessionLocal)) return;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS")) {
            if (!rs.next() || rs.getLong(1) != 1) return;
        }
        if (volume != null && volume.getUsableSpace() < 2 * use.liveBytes() + WRITE_ROOM) {
            log.info("Not compacting the metadata database ({} MB, ~{} MB in use): too little free disk space",
                    megabytes(use.fileBytes()), megabytes(use.liveBytes()));
            return;
        }
        long started = System.nanoTime();
        try (Statement s = c.createStatement()) {
            s.execute("SHUTDOWN COMPACT");
        }
        log.info("Compacted the metadata database as it closed: {} MB -> {} MB in {} ms", megabytes(use.fileBytes()),
                megabytes(databaseFile().toFile().length()), (System.nanoTime() - started) / 1_000_000);
    }

    private static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f", bytes / 1e6);
    }

    /** The embedded database's file. */
    Path databaseFile() {
        return configSignal.resolveSibling(FILE_NAME);
    }

    /** How much of an H2 file holds live data, from the store's own figures ({@code INFORMATION_SCHEMA.SETTINGS}). */
    record StoreUse(long fileBytes, int fillPercent, int chunksFillPercent) {
        static StoreUse of(Connection c) throws SQLException {
            long fileBytes = -1;
            int fill = -1;
            int chunksFill = -1;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT SETTING_NAME, SETTING_VALUE"
                    + " FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME IN"
                    + " ('info.FILE_SIZE', 'info.FILL_RATE', 'info.CHUNKS_FILL_RATE')")) {
                while (rs.next()) {
                    String value = rs.getString(2).trim();
                    switch (rs.getString(1)) {
                        case "info.FILE_SIZE" -> fileBytes = Long.parseLong(value);
                        case "info.FILL_RATE" -> fill = Integer.parseInt(value);
                        default -> chunksFill = Integer.parseInt(value);
                    }
                }
            }
            if (fileBytes < 0 || fill < 0 || chunksFill < 0) {
                throw new SQLException("H2 reported no file size or fill rate");
            }
            return new StoreUse(fileBytes, fill, chunksFill);
        }

        /**
         * The share of the file in chunks ({@code FILL_RATE}) times the live share of those chunks ({@code
         * CHUNKS_FILL_RATE}, at least 1%): roughly what a compaction keeps (22 MB for the 1.59 GB file above, which
         * became 7.9 MB).
         */
        long liveBytes() {
            return fileBytes / 100 * fillPercent / 100 * Math.max(1, chunksFillPercent);
        }
    }

    /** A unit of JDBC work. */
    @FunctionalInterface
    public interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }
}
