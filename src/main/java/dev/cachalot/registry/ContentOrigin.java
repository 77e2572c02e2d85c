package dev.cachalot.registry;

/** Where an answer came from; sent to clients in the {@value #HEADER} header and recorded in pull events. */
public enum ContentOrigin {
    /** Served from the local cache without contacting the upstream, or after the upstream confirmed it. */
    CACHE("cache"),
    /** Fetched from the upstream for this request (a cache miss). */
    UPSTREAM("upstream"),
    /** Served from the cache because the upstream failed, timed out or rate-limited (stale-if-error). */
    STALE("stale"),
    /** A plain local repository: no rule, no upstream. */
    LOCAL("local");

    public static final String HEADER = "X-Cachalot-Source";

    private final String wire;

    ContentOrigin(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }
}
