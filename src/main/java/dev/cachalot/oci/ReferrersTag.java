package dev.cachalot.oci;

import java.util.regex.Pattern;

/**
 * The referrers tag schema of the OCI distribution spec 1.1: a registry without the referrers API keeps the referrers of
 * a manifest in an index under the tag {@code <alg>-<ref>}, {@code <ref>} being the subject digest's hex cut to 64
 * characters ({@code sha256-<64 hex>}). Such a tag is how clients find referrers, not a tag anyone chose for an image.
 */
public final class ReferrersTag {

    private static final Pattern TAG = Pattern.compile("(sha256|sha512)-[a-f0-9]{64}");

    private ReferrersTag() {
    }

    /** Whether {@code tag} has the schema's form (a user's tag of that form would be taken for one, as clients do). */
    public static boolean isReferrersTag(String tag) {
        return tag != null && TAG.matcher(tag).matches();
    }
}
