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

    /** The tag under which a registry without the referrers API keeps {@code subject}'s referrers. */
    public static String of(Digest subject) {
        String hex = subject.hex();
        return subject.algorithm() + "-" + (hex.length() > 64 ? hex.substring(0, 64) : hex);
    }

    /** Whether {@code tag} has the schema's form (a user's tag of that form would be taken for one, as clients do). */
    public static boolean isReferrersTag(String tag) {
        return tag != null && TAG.matcher(tag).matches();
    }
}
