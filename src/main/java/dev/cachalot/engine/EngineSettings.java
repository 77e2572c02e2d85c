package dev.cachalot.engine;

/**
 * Settings kept in the data folder.
 *
 * @param listen            {@code host:port} of the registry server
 * @param defaultFreshness  freshness policy for rules that name none ({@code revalidate} or {@code ttl:10m})
 * @param maxCacheBytes     upper bound of the cache on disk (0: unbounded); least recently pulled content goes first
 */
public record EngineSettings(String listen, String defaultFreshness, long maxCacheBytes) {
    public static final EngineSettings DEFAULTS = new EngineSettings("127.0.0.1:5000", "revalidate", 0);
}
