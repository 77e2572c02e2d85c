package dev.cachalot.storage;

import dev.cachalot.oci.Digest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Cross-node single flight for blob fills on a shared PostgreSQL database: at most one engine at a time holds the
 * lease of a digest, and only its holder downloads the blob from the upstream. The lease is a PostgreSQL session-level
 * advisory lock ({@code pg_try_advisory_lock}) on a 64-bit key taken from the digest, so it needs no table and no
 * clean-up: when a node dies, its database session ends (the server sees the connection close, or kills it with
 * {@code pg_terminate_backend}) and every lease it held is free for another node to take.
 *
 * <p>All leases of this node live on one connection of its own, outside the request pool: many long fills must not
 * take the pool's connections away from requests, and a pooled connection's session (with its locks) would outlive
 * its return to the pool. Calls on it are serialized; each is one round
 * trip that never waits for a lock ({@code try}, never the blocking form). Waiting for another node's fill is the
 * caller's: it asks again now and then, and once it holds the lease, finds the blob stored (the other node finished:
 * stream it) or not (the other node died: fill it).
 *
 * <p>Within one node, in-process single flight ({@code proxy.BlobFills}) comes first; this class still refuses a
 * second lease of a digest this node holds (PostgreSQL would grant it again to the same session).
 */
public final class FillLeases implements AutoCloseable {
    private static final String TRY = "SELECT pg_try_advisory_lock(?)";
    private static final String UNLOCK = "SELECT pg_advisory_unlock(?)";
    /**
     * Housekeeping (eviction and garbage collection) is one lock in the two-key space of advisory locks, which
     * PostgreSQL keeps apart from the one-key space of the digests: no digest can collide with it.
     */
    private static final String TRY_HOUSEKEEPING = "SELECT pg_try_advisory_lock(1128350536, 1)";
    private static final String UNLOCK_HOUSEKEEPING = "SELECT pg_advisory_unlock(1128350536, 1)";
    /**
     * A rule's sync turn: the two-key space too, under its own first key, the second a hash of the rule's name (two
     * names with the same hash take turns, which costs only waiting).
     */
    private static final String TRY_RULE_SYNC = "SELECT pg_try_advisory_lock(1398361665, ?)";
    private static final String UNLOCK_RULE_SYNC = "SELECT pg_advisory_unlock(1398361665, ?)";

    private final Database database;
    private final Set<Long> held = new HashSet<>();
    private final Set<Integer> heldRuleSyncs = new HashSet<>();
    private boolean housekeeping;
    private Connection session;

    /** Leases on {@code database}, which must be a {@linkplain Database#isShared() shared} one. */
    public FillLeases(Database database) {
        if (!database.isShared()) {
            throw new IllegalArgumentException("fill leases need a shared (PostgreSQL) database");
        }
        this.database = database;
    }

    /** A fill lease on one digest; {@link #close()} gives it back. */
    public final class Lease implements AutoCloseable {
        private final long key;
        private final Connection heldOn;
        private final boolean housekeepingTurn;
        private final boolean ruleSyncTurn;
        private boolean released;

        private Lease(long key, Connection heldOn, boolean housekeepingTurn) {
            this(key, heldOn, housekeepingTurn, false);
        }

        private Lease(long key, Connection heldOn, boolean housekeepingTurn, boolean ruleSyncTurn) {
            this.key = key;
            this.heldOn = heldOn;
            this.housekeepingTurn = housekeepingTurn;
            this.ruleSyncTurn = ruleSyncTurn;
        }

        /**
         * Whether this node still holds the lease: false once its database session was lost (then another node may
         * hold it; a fill in progress may finish, as content-addressed writes of the same digest do not conflict).
         */
        public boolean isHeld() {
            synchronized (FillLeases.this) {
                return !released && heldOn == session && sessionAlive();
            }
        }

        @Override
        public void close() {
            synchronized (FillLeases.this) {
                if (released) return;
                released = true;
                if (heldOn != session) return; // that session is gone, and the lock with it
                if (housekeepingTurn) {
                    housekeeping = false;
                } else if (ruleSyncTurn) {
                    heldRuleSyncs.remove((int) key);
                } else {
                    held.remove(key);
                }
                String unlock = housekeepingTurn ? UNLOCK_HOUSEKEEPING : ruleSyncTurn ? UNLOCK_RULE_SYNC : UNLOCK;
                try (PreparedStatement ps = session.prepareStatement(unlock)) {
                    if (ruleSyncTurn) {
                        ps.setInt(1, (int) key);
                    } else if (!housekeepingTurn) {
                        ps.setLong(1, key);
                    }
                    ps.executeQuery().close();
                } catch (SQLException e) {
                    dropSession(); // a session we cannot talk to holds nothing we can rely on: let it go
                }
            }
        }
    }

    /**
     * The lease of {@code digest} if no node holds it now, else empty (without waiting). Throws
     * {@link StorageException} when the database cannot be reached.
     */
    public synchronized Optional<Lease> tryAcquire(Digest digest) {
        long key = key(digest);
        if (held.contains(key)) {
            return Optional.empty();
        }
        for (int attempt = 0; ; attempt++) {
            try {
                Connection c = session();
                try (PreparedStatement ps = c.prepareStatement(TRY)) {
                    ps.setLong(1, key);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        if (!rs.getBoolean(1)) return Optional.empty();
                    }
                }
                held.add(key);
                return Optional.of(new Lease(key, c, false));
            } catch (SQLException e) {
                // The session may have died since the last call (and its leases with it): once with a new one.
                dropSession();
                if (attempt > 0) {
                    throw new StorageException("cannot take a fill lease: " + e.getMessage(), e);
                }
            }
        }
    }

    /**
     * This node's turn at housekeeping (cache eviction and garbage collection), if no node has it now, else empty
     * (without waiting): one node at a time evicts and deletes, so two never decide on the same blobs at once.
     * Throws {@link StorageException} when the database cannot be reached.
     */
    public synchronized Optional<Lease> tryHousekeeping() {
        if (housekeeping) {
            return Optional.empty();
        }
        for (int attempt = 0; ; attempt++) {
            try {
                Connection c = session();
                try (PreparedStatement ps = c.prepareStatement(TRY_HOUSEKEEPING); ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) return Optional.empty();
                }
                housekeeping = true;
                return Optional.of(new Lease(0, c, true));
            } catch (SQLException e) {
                dropSession();
                if (attempt > 0) {
                    throw new StorageException("cannot take the housekeeping turn: " + e.getMessage(), e);
                }
            }
        }
    }

    /**
     * This node's turn at syncing rule {@code ruleName}, if no node has it now, else empty (without waiting): one node at
     * a time runs a rule's sync. Throws {@link StorageException} when the database cannot be reached.
     */
    public synchronized Optional<Lease> tryRuleSync(String ruleName) {
        int key = ruleName.hashCode();
        if (heldRuleSyncs.contains(key)) {
            return Optional.empty();
        }
        for (int attempt = 0; ; attempt++) {
            try {
                Connection c = session();
                try (PreparedStatement ps = c.prepareStatement(TRY_RULE_SYNC)) {
                    ps.setInt(1, key);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        if (!rs.getBoolean(1)) return Optional.empty();
                    }
                }
                heldRuleSyncs.add(key);
                return Optional.of(new Lease(key, c, false, true));
            } catch (SQLException e) {
                dropSession();
                if (attempt > 0) {
                    throw new StorageException("cannot take the turn to sync rule '" + ruleName + "': " + e.getMessage(), e);
                }
            }
        }
    }

    /**
     * Whether some node (this one included) holds the turn at syncing rule {@code ruleName} now: a look at
     * {@code pg_locks}, which takes nothing, so a node starting a run at the same moment is not refused because of it.
     * A node that died holds nothing once the server has seen its session end. Throws {@link StorageException} when
     * the database cannot be reached.
     */
    public boolean isRuleSyncTaken(String ruleName) {
        // Two-key advisory locks show as classid = key1, objid = key2 (as an unsigned 32-bit oid), objsubid = 2.
        long objid = ruleName.hashCode() & 0xFFFF_FFFFL;
        return database.query(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
                    + " AND classid::bigint = 1398361665 AND objid::bigint = ? AND objsubid = 2 AND granted)")) {
                ps.setLong(1, objid);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getBoolean(1);
                }
            }
        });
    }

    /** The advisory-lock key of a digest: its first 64 bits (a digest is already a uniform hash). */
    static long key(Digest digest) {
        return Long.parseUnsignedLong(digest.hex().substring(0, 16), 16);
    }

    /** The database process id of the session holding this node's leases (for operators' queries and tests), or -1. */
    public synchronized int backendPid() {
        try (PreparedStatement ps = session().prepareStatement("SELECT pg_backend_pid()"); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            dropSession();
            return -1;
        }
    }

    private Connection session() throws SQLException {
        if (session == null) {
            session = database.openSession("fill leases");
        }
        return session;
    }

    private boolean sessionAlive() {
        try {
            return session != null && session.isValid(5);
        } catch (SQLException e) {
            return false;
        }
    }

    /** Forgets the session; every lease taken on it is lost (the server frees them when it ends). */
    private void dropSession() {
        if (session == null) return;
        try {
            session.close();
        } catch (SQLException ignored) {
            // already broken
        }
        session = null;
        held.clear();
        heldRuleSyncs.clear();
        housekeeping = false;
    }

    /** Gives back every lease (closing the session frees them at once). */
    @Override
    public synchronized void close() {
        dropSession();
    }
}
