package dev.cachalot.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The keys an engine signs and checks its short-lived tokens with. The first key signs; every key checks. Engines behind
 * one balancer must hold the same keys, or a token one node issued is refused by the next
 * (docs/decisions/0020-cluster-token-key.md).
 *
 * <p>A desktop or single server has one key of its own ({@link SigningKey}, in the data folder). A cluster reads a key
 * file every node holds ({@link #read}): one base64 key per line, at least 256 bits each, {@code #} comment lines and
 * blank lines skipped. Listing the next key second on every node, then moving it first, then dropping the old one,
 * changes keys without refusing a token in flight: each token names its key ({@code kid}), so a node checks it with that
 * key whichever is first.
 *
 * <p>A key's id is the first 16 hex digits of its SHA-256: public (it travels in every token), because nothing about a
 * 256-bit random key can be learnt from its hash. Neither the keys nor any part of the file are ever part of a message,
 * {@link #toString()} included; messages name the file and the line.
 */
public final class TokenKeys {
    /** HS256 needs a key of at least its hash's length. */
    public static final int MIN_KEY_BYTES = 32;
    private static final Set<PosixFilePermission> OTHERS = Set.of(PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
    private static final String MAKE_ONE = "make one with 'openssl rand -base64 32'";

    /** One key and its public id. {@link #toString()} leaves the secret out. */
    record Key(String id, byte[] secret) {
        @Override
        public String toString() {
            return "Key[" + id + "]";
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key k && k.id.equals(id);
        }

        @Override
        public int hashCode() {
            return id.hashCode();
        }
    }

    private final List<Key> keys;

    private TokenKeys(List<Key> keys) {
        this.keys = List.copyOf(keys);
    }

    /** One key that signs and checks: an engine's own. */
    public static TokenKeys of(byte[] secret) {
        if (secret.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("a token key must be at least " + MIN_KEY_BYTES + " bytes");
        }
        return new TokenKeys(List.of(key(secret)));
    }

    /**
     * The keys in {@code file}, which must be a regular file nobody but its owner and group may open.
     *
     * @throws IllegalArgumentException one line naming the file (and line) and what is wrong, never a key
     */
    public static TokenKeys read(Path file) {
        String where = "the token key file " + file;
        List<String> lines;
        try {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException(Files.exists(file) ? where + " is not a regular file"
                        : where + " does not exist (" + MAKE_ONE + " on one node and copy it to every node)");
            }
            refuseOpenToEveryone(file, where);
            lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(where + " does not exist (" + MAKE_ONE + " on one node and copy it to every node)");
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException("cannot read " + where + ": permission denied (the engine's user must be able to read it)");
        } catch (IOException e) {
            // The exception's own message may quote nothing of the content, but say only its kind to be sure.
            throw new IllegalArgumentException("cannot read " + where + ": " + e.getClass().getSimpleName());
        }
        return parse(lines, where);
    }

    static TokenKeys parse(List<String> lines, String where) {
        List<Key> keys = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String at = "line " + (i + 1) + " of " + where;
            byte[] secret;
            try {
                secret = line.contains("-") || line.contains("_") ? Base64.getUrlDecoder().decode(line)
                        : Base64.getDecoder().decode(line);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(at + " is not base64 (" + MAKE_ONE + ")");
            }
            if (secret.length < MIN_KEY_BYTES) {
                throw new IllegalArgumentException(at + " holds a " + secret.length + "-byte key; a token key needs at least "
                        + MIN_KEY_BYTES + " random bytes (" + MAKE_ONE + ")");
            }
            Key key = key(secret);
            int earlier = keys.indexOf(key);
            if (earlier >= 0) {
                throw new IllegalArgumentException(at + " repeats an earlier key: list each key once");
            }
            keys.add(key);
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException(where + " holds no key (" + MAKE_ONE + ")");
        }
        return new TokenKeys(keys);
    }

    /** A key readable by every user of the machine is not a secret: refused, as ssh refuses such a private key. */
    private static void refuseOpenToEveryone(Path file, String where) throws IOException {
        Set<PosixFilePermission> permissions;
        try {
            permissions = Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException e) {
            return; // not POSIX (Windows): access is the ACL's business
        }
        if (permissions.stream().anyMatch(OTHERS::contains)) {
            throw new IllegalArgumentException(where + " may be opened by every user of this machine ("
                    + PosixFilePermissions.toString(permissions) + "): chmod 600 (or 640 for the engine's group)");
        }
    }

    private static Key key(byte[] secret) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(secret);
            return new Key(HexFormat.of().formatHex(hash, 0, 8), Arrays.copyOf(secret, secret.length));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The key that signs new tokens. */
    Key signing() {
        return keys.get(0);
    }

    /** Every key, the signing one first. */
    List<Key> all() {
        return keys;
    }

    /** How many keys check tokens. */
    public int size() {
        return keys.size();
    }

    /** The signing key's public id, for a start-up line that lets operators see every node holds the same key. */
    public String signingKeyId() {
        return signing().id();
    }

    @Override
    public String toString() {
        return "TokenKeys[signing " + signing().id() + ", " + keys.size() + " in all]";
    }
}
