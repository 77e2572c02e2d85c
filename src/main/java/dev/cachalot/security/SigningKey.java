package dev.cachalot.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The engine's key for signing its short-lived tokens: 256 random bits, made at the first start and kept in the data
 * folder ({@code security/token-signing.key}, owner-only), so tokens survive a restart. Never logged. Replacing the file
 * (or deleting it and restarting) invalidates every token issued so far; clients then simply ask for new ones. Engines
 * that share a database use a key file they all hold instead ({@link TokenKeys#read}), and never this one.
 */
public final class SigningKey {
    static final String FILE = "token-signing.key";

    private SigningKey() {
    }

    /** The key in {@code folder}, created if there is none yet. */
    public static byte[] loadOrCreate(Path folder) {
        Path file = folder.resolve(FILE);
        try {
            if (!Files.exists(file)) create(folder, file);
            byte[] key = Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).strip());
            if (key.length < 32) throw new IllegalStateException("the token signing key " + file + " is shorter than 256 bits");
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the token signing key in " + folder + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the token signing key " + file + " is not base64: delete it to make a new one", e);
        }
    }

    private static void create(Path folder, Path file) throws IOException {
        Files.createDirectories(folder);
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Path temp = Files.createTempFile(folder, "key-", ".tmp");
        try {
            ownerOnly(temp);
            Files.writeString(temp, Base64.getEncoder().encodeToString(key), StandardCharsets.US_ASCII);
            try {
                // No replace: when two processes start at once, the first key stays and both read it.
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException e) {
                // the other one won
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void ownerOnly(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not POSIX (Windows): the user's profile folder is private already
        }
    }
}
