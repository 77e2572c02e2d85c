package dev.cachalot.security;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * Passwords as bcrypt hashes ({@code $2y$}, BouncyCastle's implementation, cost {@value #COST}: about 60 ms here, which
 * makes guessing slow and is paid once per login, since verified logins are remembered by {@link Authority}).
 */
public final class Passwords {
    static final int COST = 10;
    /** bcrypt reads at most 72 bytes; a longer password would be silently cut, so it is refused instead. */
    static final int MAX_BYTES = 72;
    static final int MIN_CHARS = 8;

    private static final SecureRandom RANDOM = new SecureRandom();
    /** Checked against when the user does not exist, so an unknown name costs the same time as a wrong password. */
    private static volatile String decoy;

    private Passwords() {
    }

    /** A new bcrypt hash of {@code password}; refuses passwords bcrypt cannot hold whole, or too short to resist guessing. */
    public static String hash(char[] password) {
        if (password == null || password.length < MIN_CHARS) {
            throw new IllegalArgumentException("the password must have at least " + MIN_CHARS + " characters");
        }
        if (utf8Length(password) > MAX_BYTES) {
            throw new IllegalArgumentException("the password must be at most " + MAX_BYTES + " bytes in UTF-8 (bcrypt ignores the rest)");
        }
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return OpenBSDBCrypt.generate("2y", password, salt, COST);
    }

    /** Whether {@code password} matches {@code hash}; false for anything malformed. */
    public static boolean matches(char[] password, String hash) {
        if (password == null || hash == null || password.length == 0 || utf8Length(password) > MAX_BYTES) {
            return false;
        }
        try {
            return OpenBSDBCrypt.checkPassword(hash, password);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Spends the time of one check, for a user that does not exist. */
    static void checkDecoy(char[] password) {
        String d = decoy;
        if (d == null) {
            d = hash("decoy-password".toCharArray());
            decoy = d;
        }
        matches(password == null || password.length == 0 ? new char[] {'x'} : password, d);
    }

    private static int utf8Length(char[] password) {
        ByteBuffer bytes = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        int length = bytes.remaining();
        if (bytes.hasArray()) Arrays.fill(bytes.array(), (byte) 0);
        return length;
    }
}
