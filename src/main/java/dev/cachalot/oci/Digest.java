package dev.cachalot.oci;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A content digest as the OCI image spec defines it ({@code algorithm ":" encoded}).
 * Only the registered algorithms sha256 and sha512 are accepted: they are what a registry can verify,
 * and their fixed hex lengths make a digest safe to use as part of a file path.
 */
public record Digest(String algorithm, String hex) {

    private static final Pattern SHA256 = Pattern.compile("[a-f0-9]{64}");
    private static final Pattern SHA512 = Pattern.compile("[a-f0-9]{128}");

    public Digest {
        boolean ok = switch (algorithm) {
            case "sha256" -> SHA256.matcher(hex).matches();
            case "sha512" -> SHA512.matcher(hex).matches();
            default -> false;
        };
        if (!ok) {
            throw new IllegalArgumentException("invalid digest: " + algorithm + ":" + abbreviate(hex));
        }
    }

    /** Parses {@code sha256:<64 hex>}; throws {@link DistributionException} with DIGEST_INVALID otherwise. */
    public static Digest parse(String text) {
        if (text == null || text.length() > 200) {
            throw new DistributionException(ErrorCode.DIGEST_INVALID, "invalid digest: " + abbreviate(text));
        }
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new DistributionException(ErrorCode.DIGEST_INVALID, "invalid digest: " + abbreviate(text));
        }
        try {
            return new Digest(text.substring(0, colon), text.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            throw new DistributionException(ErrorCode.DIGEST_INVALID,
                    "invalid digest: " + abbreviate(text) + " (expected sha256:<64 lowercase hex> or sha512:<128 lowercase hex>)");
        }
    }

    public static boolean isDigest(String text) {
        return text != null && text.indexOf(':') > 0;
    }

    public static Digest sha256(byte[] hash) {
        return new Digest("sha256", HexFormat.of().formatHex(hash));
    }

    /** The digest of {@code content} by {@code algorithm}, {@code sha256} or {@code sha512}. */
    public static Digest of(String algorithm, byte[] content) {
        String javaName = switch (algorithm) {
            case "sha256" -> "SHA-256";
            case "sha512" -> "SHA-512";
            default -> throw new IllegalArgumentException("unsupported digest algorithm " + algorithm);
        };
        try {
            return new Digest(algorithm, HexFormat.of().formatHex(MessageDigest.getInstance(javaName).digest(content)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks " + javaName, e);
        }
    }

    /** The Java {@link java.security.MessageDigest} name of this digest's algorithm. */
    public String javaAlgorithm() {
        return algorithm.toUpperCase(Locale.ROOT).replace("SHA", "SHA-");
    }

    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }

    private static String abbreviate(String s) {
        if (s == null) return "(none)";
        String printable = s.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 80 ? printable.substring(0, 80) + "…" : printable;
    }
}
