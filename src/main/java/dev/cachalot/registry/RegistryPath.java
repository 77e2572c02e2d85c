package dev.cachalot.registry;


import dev.cachalot.oci.Digest;
import dev.cachalot.oci.DistributionException;
import dev.cachalot.oci.ErrorCode;
import dev.cachalot.oci.Reference;
import dev.cachalot.oci.RepositoryName;
/**
 * A request path under {@code /v2/}, split into its route, repository name and last segment.
 *
 * <p>Works on the RAW path, still percent-encoded as the client sent it, and refuses anything that could mean
 * something else after decoding or normalisation: any {@code %} escape, a backslash, an empty segment
 * ({@code //}) and the dot segments {@code .} and {@code ..}. Legitimate names, tags and digests never need
 * any of those, so refusing them loses nothing and means no later decoding step can turn an innocent-looking
 * path into a traversal. The parts are then validated with the anchored patterns of {@link RepositoryName},
 * {@link Reference} and {@link Digest} by the handler before anything reaches the backend.
 *
 * @param route what the path asks for
 * @param name  the raw repository name (not yet validated), or null for {@link Route#BASE} and {@link Route#UNKNOWN}
 * @param last  the reference or digest segment for manifests, blobs and referrers, the upload id of an upload
 *              session ({@code /blobs/uploads/<id>}), else null
 */
record RegistryPath(Route route, String name, String last) {

    /** Which registry endpoint a path addresses. */
    enum Route { BASE, MANIFEST, BLOB, TAGS, REFERRERS, UPLOADS, UNKNOWN }

    private static final String PREFIX = "/v2/";
    private static final String MANIFESTS = "/manifests/";
    private static final String BLOBS = "/blobs/";
    private static final String UPLOADS = "/blobs/uploads";
    private static final String TAGS = "/tags/list";
    private static final String REFERRERS = "/referrers/";

    private static final RegistryPath BASE = new RegistryPath(Route.BASE, null, null);
    private static final RegistryPath UNKNOWN = new RegistryPath(Route.UNKNOWN, null, null);

    /**
     * Splits a raw request path.
     *
     * @throws DistributionException NAME_INVALID when the path carries an escape, a backslash, an empty or a dot segment
     */
    static RegistryPath parse(String rawPath) {
        if (rawPath == null) {
            return UNKNOWN;
        }
        if (rawPath.equals("/v2") || rawPath.equals(PREFIX)) {
            return BASE;
        }
        if (!rawPath.startsWith(PREFIX)) {
            return UNKNOWN;
        }
        rejectUnsafe(rawPath);
        String rest = rawPath.substring(PREFIX.length());

        if (rest.endsWith(TAGS)) {
            return new RegistryPath(Route.TAGS, rest.substring(0, rest.length() - TAGS.length()), null);
        }
        // The upload id never contains '/', so the LAST marker is the real one (a name may have a "blobs" component).
        int uploads = rest.lastIndexOf(UPLOADS);
        if (uploads > 0) {
            String after = rest.substring(uploads + UPLOADS.length());
            if (after.isEmpty() || after.equals("/")) {
                return new RegistryPath(Route.UPLOADS, rest.substring(0, uploads), null);
            }
            if (after.charAt(0) == '/' && after.indexOf('/', 1) < 0) {
                return new RegistryPath(Route.UPLOADS, rest.substring(0, uploads), after.substring(1));
            }
        }
        // The final segment (reference or digest) never contains '/', so the LAST marker splits correctly even
        // when a name component is itself called "manifests" or "blobs".
        RegistryPath split = splitAt(rest, MANIFESTS, Route.MANIFEST);
        if (split == null) split = splitAt(rest, BLOBS, Route.BLOB);
        if (split == null) split = splitAt(rest, REFERRERS, Route.REFERRERS);
        if (split == null) {
            rejectDigestWithPath(rest);
            return UNKNOWN;
        }
        return split;
    }

    /**
     * The reference of a manifest path. A string that cannot be a tag names no manifest: the spec's conformance
     * suite uses {@code .INVALID_MANIFEST_NAME} as its nonexistent manifest and expects 404 {@code MANIFEST_UNKNOWN},
     * as CNCF distribution answers. A malformed digest stays {@code DIGEST_INVALID}: it is a bad request, not a
     * missing manifest.
     */
    Reference reference() {
        if (Digest.isDigest(last)) {
            return new Reference.ByDigest(Digest.parse(last));
        }
        if (last == null || !Reference.TAG.matcher(last).matches()) {
            throw new DistributionException(ErrorCode.MANIFEST_UNKNOWN,
                    "manifest unknown: '" + printable(last) + "' is not a valid tag");
        }
        return new Reference.Tag(last);
    }

    /** The digest of a blob or referrers path; {@code DIGEST_INVALID} when it is not one. */
    Digest digest() {
        return Digest.parse(last);
    }

    /**
     * A marker followed by something with a {@code ':'} and a {@code '/'} is a digest with a path in it
     * ({@code blobs/sha256:../x}): no name component may hold a {@code ':'}, so it cannot be a longer name.
     * It is a malformed digest, not an unknown endpoint.
     */
    private static void rejectDigestWithPath(String rest) {
        for (String marker : new String[] {MANIFESTS, BLOBS, REFERRERS}) {
            int at = rest.lastIndexOf(marker);
            if (at <= 0) continue;
            String after = rest.substring(at + marker.length());
            int slash = after.indexOf('/');
            if (slash > 0 && after.lastIndexOf(':', slash) > 0) {
                throw new DistributionException(ErrorCode.DIGEST_INVALID,
                        "invalid digest: a digest is algorithm:hex and never contains '/'");
            }
        }
    }

    /** Shortened for the error message; {@link #rejectUnsafe} already let through only printable ASCII. */
    private static String printable(String text) {
        String shown = text == null ? "" : text;
        return shown.length() > 80 ? shown.substring(0, 80) + "…" : shown;
    }

    private static RegistryPath splitAt(String rest, String marker, Route route) {
        int at = rest.lastIndexOf(marker);
        if (at <= 0) {
            return null;
        }
        String last = rest.substring(at + marker.length());
        if (last.isEmpty() || last.indexOf('/') >= 0) {
            return null;
        }
        return new RegistryPath(route, rest.substring(0, at), last);
    }

    /** Refuses, before any decoding, every path shape that a legitimate name, tag or digest never has. */
    private static void rejectUnsafe(String rawPath) {
        for (int i = 0; i < rawPath.length(); i++) {
            char c = rawPath.charAt(i);
            if (c == '%' || c == '\\' || c < 0x21 || c > 0x7e) {
                throw invalid("the path contains an encoded or disallowed character");
            }
        }
        // Segments between slashes: none may be empty (a trailing slash is fine), "." or "..".
        int start = 1; // after the leading '/'
        while (start <= rawPath.length()) {
            int end = rawPath.indexOf('/', start);
            if (end < 0) end = rawPath.length();
            int len = end - start;
            if (len == 0 && end < rawPath.length()) {
                throw invalid("the path contains an empty segment");
            }
            if ((len == 1 && rawPath.charAt(start) == '.')
                    || (len == 2 && rawPath.charAt(start) == '.' && rawPath.charAt(start + 1) == '.')) {
                throw invalid("the path contains a dot segment");
            }
            start = end + 1;
        }
    }

    private static DistributionException invalid(String why) {
        return new DistributionException(ErrorCode.NAME_INVALID, "invalid repository path: " + why);
    }
}
