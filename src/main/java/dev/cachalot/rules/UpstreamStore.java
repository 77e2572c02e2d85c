package dev.cachalot.rules;

import dev.cachalot.storage.Database;
import java.util.List;

/** Custom upstreams in the metadata database. */
public final class UpstreamStore {

    public UpstreamStore(Database database) {
        throw new UnsupportedOperationException("written by the rules work");
    }

    public List<Upstream> list() {
        throw new UnsupportedOperationException("written by the rules work");
    }

    /** Adds or replaces a custom upstream; bumps the config version. */
    public void put(Upstream upstream) {
        throw new UnsupportedOperationException("written by the rules work");
    }

    public boolean remove(String loginServer) {
        throw new UnsupportedOperationException("written by the rules work");
    }
}
