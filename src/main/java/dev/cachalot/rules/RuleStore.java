package dev.cachalot.rules;

import dev.cachalot.storage.Database;
import java.sql.Connection;
import java.util.List;
import java.util.Optional;

/** Cache rules in the metadata database. Writers bump the config version in the same transaction. */
public final class RuleStore {

    public RuleStore(Database database) {
        throw new UnsupportedOperationException("written by the rules work");
    }

    public List<CacheRule> list() {
        throw new UnsupportedOperationException("written by the rules work");
    }

    public Optional<CacheRule> find(String name) {
        throw new UnsupportedOperationException("written by the rules work");
    }

    /** Inserts within the caller's transaction (for atomic imports). */
    public void insert(Connection c, CacheRule rule) {
        throw new UnsupportedOperationException("written by the rules work");
    }

    public void update(Connection c, CacheRule rule) {
        throw new UnsupportedOperationException("written by the rules work");
    }

    public boolean delete(Connection c, String name) {
        throw new UnsupportedOperationException("written by the rules work");
    }
}
