package dev.cachalot.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Access token secrets: {@value #PREFIX} and 32 random bytes in base64url. A secret with 256 bits of entropy cannot be
 * guessed, so a plain SHA-256 is enough to store (a slow hash protects low-entropy passwords, not random keys), and
 * lets a presented secret be found by its hash in one lookup. The prefix lets secret scanners spot a leaked one.
 */
public final class TokenSecrets {
    public static final String PREFIX = "cachalot_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private TokenSecrets() {
    }

    public static String newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** A random public identifier (not a secret). */
    static String newId() {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** Whether {@code password} has the shape of an access token rather than a password. */
    public static boolean looksLikeToken(String password) {
        return password != null && password.startsWith(PREFIX) && password.length() == PREFIX.length() + 43;
    }

    /** The stored form: SHA-256, hex. */
    public static String hash(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
