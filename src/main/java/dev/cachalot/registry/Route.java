package dev.cachalot.registry;

/**
 * The fixed set of routes requests are counted under. A metric labelled with the raw path would grow a series per
 * repository, tag and digest a client cares to ask for; these names never grow.
 */
public enum Route {
    MANIFESTS, BLOBS, UPLOADS, TAGS, REFERRERS, OTHER;

    /** The label value: the name in lower case. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Classifies a request path by the distribution spec's endpoint shapes, without decoding or validating it. */
    static Route of(String path) {
        if (path == null || !path.startsWith("/v2/")) {
            return OTHER;
        }
        if (path.contains("/blobs/uploads")) return UPLOADS;
        if (path.contains("/manifests/")) return MANIFESTS;
        if (path.contains("/blobs/")) return BLOBS;
        if (path.endsWith("/tags/list")) return TAGS;
        if (path.contains("/referrers/")) return REFERRERS;
        return OTHER;
    }
}
