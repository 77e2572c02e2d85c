package dev.cachalot.oci;

import java.util.regex.Pattern;

/** What follows {@code /manifests/}: a tag or a digest. */
public sealed interface Reference permits Reference.Tag, Reference.ByDigest {

    Pattern TAG = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");

    /** Parses a tag or digest; throws {@link DistributionException} (MANIFEST_INVALID / DIGEST_INVALID) if neither. */
    static Reference parse(String text) {
        if (Digest.isDigest(text)) {
            return new ByDigest(Digest.parse(text));
        }
        return new Tag(text);
    }

    String value();

    record Tag(String value) implements Reference {
        public Tag {
            if (value == null || !TAG.matcher(value).matches()) {
                String shown = value == null ? "" : value.replaceAll("[^\\x20-\\x7e]", "?");
                if (shown.length() > 80) shown = shown.substring(0, 80) + "…";
                throw new DistributionException(ErrorCode.MANIFEST_INVALID,
                        "invalid tag '" + shown + "': up to 128 characters of letters, digits, '_', '.', '-', not starting with '.' or '-'");
            }
        }

        @Override
        public String toString() {
            return value;
        }
    }

    record ByDigest(Digest digest) implements Reference {
        @Override
        public String value() {
            return digest.toString();
        }

        @Override
        public String toString() {
            return value();
        }
    }
}
