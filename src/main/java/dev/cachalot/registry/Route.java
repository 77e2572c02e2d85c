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

    /**
     * Classifies a request path by the distribution spec's endpoint shapes, without decoding or validating it. The
     * endpoint is the rightmost marker: a repository may be named {@code manifests} or {@code tags/list}, a tag or
     * digest never holds a slash.
     */
    static Route of(String path) {
        if (path == null || !path.startsWith("/v2/")) {
            return OTHER;
        }
        Route route = OTHER;
        int at = -1;
        int manifests = path.lastIndexOf("/manifests/");
        if (manifests > at) {
            route = MANIFESTS;
            at = manifests;
        }
        int blobs = path.lastIndexOf("/blobs/");
        if (blobs > at) {
            route = path.startsWith("/blobs/uploads", blobs) ? UPLOADS : BLOBS;
            at = blobs;
        }
        int referrers = path.lastIndexOf("/referrers/");
        if (referrers > at) {
            route = REFERRERS;
            at = referrers;
        }
        if (path.endsWith("/tags/list") && path.length() - "/tags/list".length() > at) {
            route = TAGS;
        }
        return route;
    }
}
