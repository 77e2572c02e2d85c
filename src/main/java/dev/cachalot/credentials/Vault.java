package dev.cachalot.credentials;

import dev.cachalot.storage.DataFolder;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.spec.KeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The local vault: named secrets in one AES-256-GCM encrypted file, {@code vault/secrets.vault}.
 *
 * <p>File layout: a header (magic, format version, key source, vault id, PBKDF2 salt and iterations, a key check
 * value), then a random 12-byte IV and the GCM ciphertext of all secrets; the header is the GCM associated data,
 * so changing any byte of the file fails authentication. Every change re-encrypts the whole vault with a fresh IV
 * into an owner-only temp file that atomically replaces the old one, under a file lock shared with other processes
 * on the same data folder (the CLI and a running engine).
 *
 * <p>The key comes, for a new vault, from the OS keyring when one is reachable, else from
 * {@code CACHALOT_VAULT_PASSPHRASE}, else from a random key file; the header records which, and later opens use that
 * source only, failing with a message that says what is missing. The key is found on first use, so opening a data
 * folder does not need the passphrase until a secret is read or written.
 *
 * <p>The key check value (HMAC of a constant under the key) tells a wrong key ("wrong passphrase") apart from a
 * damaged or tampered file; it reveals nothing that helps guess the key.
 */
public final class Vault {

    public static final String FILE_NAME = "secrets.vault";
    public static final String KEY_FILE_NAME = "vault.key";
    private static final String LOCK_FILE_NAME = "vault.lock";

    private static final byte[] MAGIC = "CACHALOT-VAULT".getBytes(StandardCharsets.US_ASCII);
    private static final int FORMAT = 1;
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final int KEY_BYTES = 32;
    private static final int SALT_BYTES = 16;
    private static final byte[] KEY_CHECK_LABEL = "cachalot vault key check".getBytes(StandardCharsets.US_ASCII);
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");

    private final Path dir;
    private final VaultOptions options;
    private final SecureRandom random = new SecureRandom();
    /** Found on first use, then kept for the life of the process (re-reading the file needs it each time). */
    private SecretKeySpec key;
    private Header keyHeader;

    public Vault(DataFolder folder, VaultOptions options) {
        this.dir = folder.vault();
        this.options = options;
    }

    /** The vault file. */
    public Path file() {
        return dir.resolve(FILE_NAME);
    }

    /** Which key source protects this vault (creating the vault, and so choosing, when there is none yet). */
    public synchronized KeySource keySource() {
        return withLock(() -> unlock(readOrCreate()).source);
    }

    /** Stores {@code value} under {@code name}, replacing an older value. {@code value} is cleared. */
    public void set(String name, char[] value) {
        try {
            SecretId.requireValidName(name);
            update(secrets -> {
                char[] old = secrets.put(name, Arrays.copyOf(value, value.length));
                if (old != null) Arrays.fill(old, '\0');
                return true;
            });
        } finally {
            Arrays.fill(value, '\0');
        }
    }

    /** The value of {@code name}; the caller clears it after use. */
    public Optional<char[]> get(String name) {
        if (SecretId.nameProblem(name) != null) return Optional.empty();
        return read(secrets -> {
            char[] v = secrets.get(name);
            return v == null ? Optional.<char[]>empty() : Optional.of(Arrays.copyOf(v, v.length));
        });
    }

    /** The value of a {@code vault:<name>} identifier. */
    public Optional<char[]> resolve(String secretId) {
        if (SecretId.problem(secretId) != null) return Optional.empty();
        return get(SecretId.name(secretId));
    }

    /** The names of all secrets, sorted; never the values. */
    public List<String> list() {
        return read(secrets -> List.copyOf(secrets.keySet()));
    }

    public boolean exists(String name) {
        return read(secrets -> secrets.containsKey(name));
    }

    /** @return false when there was no such secret */
    public boolean delete(String name) {
        boolean[] removed = {false};
        update(secrets -> {
            char[] old = secrets.remove(name);
            if (old == null) return false;
            Arrays.fill(old, '\0');
            removed[0] = true;
            return true;
        });
        return removed[0];
    }

    // ---- reading and writing under the lock ----

    private synchronized <T> T read(Function<Map<String, char[]>, T> reader) {
        return withLock(() -> {
            Header header = unlock(readOrCreate());
            Map<String, char[]> secrets = decrypt(header);
            try {
                return reader.apply(secrets);
            } finally {
                secrets.values().forEach(v -> Arrays.fill(v, '\0'));
            }
        });
    }

    /** {@code change} returns whether it changed anything (then the vault is written). */
    private synchronized void update(Function<Map<String, char[]>, Boolean> change) {
        withLock(() -> {
            Header header = unlock(readOrCreate());
            Map<String, char[]> secrets = decrypt(header);
            try {
                if (change.apply(secrets)) write(header, secrets);
            } finally {
                secrets.values().forEach(v -> Arrays.fill(v, '\0'));
            }
            return null;
        });
    }

    private <T> T withLock(IoWork<T> work) {
        try {
            createOwnerOnlyDirectory(dir);
            try (FileChannel ch = FileChannel.open(dir.resolve(LOCK_FILE_NAME), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = ch.lock()) {
                return work.run();
            }
        } catch (IOException e) {
            throw new VaultException("cannot use the vault in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The header of the vault file, creating a new vault (choosing its key source) when there is none. */
    private Header readOrCreate() throws IOException {
        Path file = file();
        if (!Files.exists(file)) {
            Header header = create();
            write(header, new TreeMap<>());
            return header;
        }
        byte[] bytes = Files.readAllBytes(file);
        return Header.parse(bytes, file);
    }

    private Header create() throws IOException {
        String vaultId = HexFormat.of().formatHex(randomBytes(16));
        byte[] keyBytes;
        KeySource source;
        byte[] salt = new byte[0];
        int iterations = 0;
        Keyring keyring = options.keyring();
        if (keyring.available()) {
            source = KeySource.KEYRING;
            keyBytes = randomBytes(KEY_BYTES);
            char[] encoded = base64(keyBytes);
            try {
                keyring.store(keyringAccount(vaultId), encoded);
            } finally {
                Arrays.fill(encoded, '\0');
            }
        } else {
            char[] passphrase = options.passphraseFromEnv();
            if (passphrase != null) {
                source = KeySource.PASSPHRASE;
                salt = randomBytes(SALT_BYTES);
                iterations = options.pbkdf2Iterations();
                keyBytes = derive(passphrase, salt, iterations);
            } else {
                source = KeySource.KEY_FILE;
                keyBytes = randomBytes(KEY_BYTES);
                writeKeyFile(keyBytes);
            }
        }
        try {
            setKey(keyBytes);
        } finally {
            Arrays.fill(keyBytes, (byte) 0);
        }
        Header header = new Header(source, vaultId, salt, iterations, keyCheck(key, vaultId), null, null);
        keyHeader = header;
        return header;
    }

    /** Makes sure {@link #key} is the key of {@code header}, finding it from the header's source on first use. */
    private Header unlock(Header header) {
        if (key != null && keyHeader != null && keyHeader.sameKeyAs(header)) {
            if (!MessageDigest.isEqual(keyCheck(key, header.vaultId), header.keyCheck)) {
                throw new VaultException("the vault file " + file() + " was replaced by another vault: restart Cachalot");
            }
            return header;
        }
        byte[] keyBytes = switch (header.source) {
            case KEYRING -> keyFromKeyring(header);
            case PASSPHRASE -> keyFromPassphrase(header);
            case KEY_FILE -> keyFromFile();
        };
        SecretKeySpec candidate = new SecretKeySpec(keyBytes, "AES");
        Arrays.fill(keyBytes, (byte) 0);
        if (!MessageDigest.isEqual(keyCheck(candidate, header.vaultId), header.keyCheck)) {
            throw new VaultException(switch (header.source) {
                case PASSPHRASE -> "wrong vault passphrase: it does not open " + file()
                        + " (check " + VaultOptions.PASSPHRASE_ENV + ")";
                case KEY_FILE -> "the key file " + dir.resolve(KEY_FILE_NAME) + " does not belong to the vault " + file();
                case KEYRING -> "the key in " + options.keyring().description() + " does not open the vault " + file();
            });
        }
        key = candidate;
        keyHeader = header;
        return header;
    }

    private byte[] keyFromKeyring(Header header) {
        Keyring keyring = options.keyring();
        if (!keyring.available()) {
            throw new VaultException("the vault " + file() + " is protected by a key in the OS keyring, which is not "
                    + "reachable now (" + keyring.description() + "): open Cachalot in your desktop session with the "
                    + "keyring unlocked");
        }
        char[] encoded = keyring.read(keyringAccount(header.vaultId)).orElseThrow(() -> new VaultException(
                "the OS keyring (" + keyring.description() + ") has no key for the vault " + file()
                        + ": the vault cannot be opened without it"));
        try {
            return Base64.getDecoder().decode(new String(encoded).getBytes(StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw new VaultException("the vault key in the OS keyring is damaged");
        } finally {
            Arrays.fill(encoded, '\0');
        }
    }

    private byte[] keyFromPassphrase(Header header) {
        char[] passphrase = options.passphraseFromEnv();
        if (passphrase == null) {
            passphrase = options.prompt().ask("Vault passphrase: ");
        }
        if (passphrase == null || passphrase.length == 0) {
            throw new VaultException("the vault is locked: it is protected by a passphrase, and none was given (start the engine with the passphrase in " + VaultOptions.PASSPHRASE_ENV + ")");
        }
        return derive(passphrase, header.salt, header.iterations);
    }

    private byte[] keyFromFile() {
        Path keyFile = dir.resolve(KEY_FILE_NAME);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(keyFile);
        } catch (NoSuchFileException e) {
            throw new VaultException("the vault is protected by the key file " + keyFile
                    + ", which is missing: restore it from your backup");
        } catch (AccessDeniedException e) {
            throw new VaultException("the vault key file " + keyFile + " is not readable by this user");
        } catch (IOException e) {
            throw new VaultException("cannot read the vault key file " + keyFile + ": " + e.getMessage(), e);
        }
        if (bytes.length != KEY_BYTES) {
            Arrays.fill(bytes, (byte) 0);
            throw new VaultException("the vault key file " + keyFile + " is damaged (it is not a 256-bit key)");
        }
        return bytes;
    }

    private void writeKeyFile(byte[] keyBytes) throws IOException {
        Path keyFile = dir.resolve(KEY_FILE_NAME);
        try {
            Files.createFile(keyFile, ownerOnlyFile());
        } catch (FileAlreadyExistsException e) {
            // A key file without a vault: never overwrite a key something may still need; ask the user.
            throw new VaultException("the vault key file " + keyFile + " exists but the vault file " + file()
                    + " does not: move the key file away to start a new vault");
        }
        Files.write(keyFile, keyBytes, StandardOpenOption.TRUNCATE_EXISTING);
    }

    private Map<String, char[]> decrypt(Header header) {
        if (header.iv == null) return new TreeMap<>(); // just created: nothing stored yet
        byte[] plain;
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, header.iv));
            cipher.updateAAD(header.aad);
            plain = cipher.doFinal(header.ciphertext);
        } catch (AEADBadTagException e) {
            throw new VaultException("the vault file " + file() + " is damaged or was tampered with: "
                    + "it fails its integrity check");
        } catch (GeneralSecurityException e) {
            throw new VaultException("cannot decrypt the vault: " + e.getClass().getSimpleName(), e);
        }
        try {
            return Secrets.decode(plain);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    private void write(Header header, Map<String, char[]> secrets) throws IOException {
        byte[] aad = header.encode();
        byte[] iv = randomBytes(IV_BYTES);
        byte[] plain = Secrets.encode(secrets);
        byte[] ciphertext;
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(aad);
            ciphertext = cipher.doFinal(plain);
        } catch (GeneralSecurityException e) {
            throw new VaultException("cannot encrypt the vault: " + e.getClass().getSimpleName(), e);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
        Path tmp = dir.resolve(FILE_NAME + ".tmp-" + HexFormat.of().formatHex(randomBytes(6)));
        try {
            Files.createFile(tmp, ownerOnlyFile());
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                for (byte[] part : new byte[][]{aad, iv, ciphertext}) {
                    ByteBuffer b = ByteBuffer.wrap(part);
                    while (b.hasRemaining()) ch.write(b);
                }
                ch.force(true);
            }
            Files.move(tmp, file(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    // ---- key material ----

    private void setKey(byte[] keyBytes) {
        key = new SecretKeySpec(keyBytes, "AES");
    }

    private static byte[] derive(char[] passphrase, byte[] salt, int iterations) {
        KeySpec spec = new PBEKeySpec(passphrase, salt, iterations, KEY_BYTES * 8);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new VaultException("cannot derive the vault key: " + e.getClass().getSimpleName(), e);
        } finally {
            ((PBEKeySpec) spec).clearPassword();
            Arrays.fill(passphrase, '\0');
        }
    }

    private static byte[] keyCheck(SecretKeySpec key, String vaultId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getEncoded(), "HmacSHA256"));
            mac.update(KEY_CHECK_LABEL);
            mac.update(vaultId.getBytes(StandardCharsets.US_ASCII));
            return Arrays.copyOf(mac.doFinal(), 16);
        } catch (GeneralSecurityException e) {
            throw new VaultException("cannot check the vault key: " + e.getClass().getSimpleName(), e);
        }
    }

    private static String keyringAccount(String vaultId) {
        return "vault-" + vaultId;
    }

    private static char[] base64(byte[] bytes) {
        byte[] encoded = Base64.getEncoder().encode(bytes);
        char[] chars = new char[encoded.length];
        for (int i = 0; i < encoded.length; i++) chars[i] = (char) encoded[i];
        Arrays.fill(encoded, (byte) 0);
        return chars;
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static boolean posix(Path p) {
        return p.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private FileAttribute<?>[] ownerOnlyFile() {
        // Elsewhere (Windows) the file inherits the ACL of the user's profile folder, which is owner-only by default.
        return posix(dir) ? new FileAttribute<?>[]{PosixFilePermissions.asFileAttribute(OWNER_FILE)} : new FileAttribute<?>[0];
    }

    private static void createOwnerOnlyDirectory(Path dir) throws IOException {
        Files.createDirectories(dir);
        if (posix(dir)) Files.setPosixFilePermissions(dir, OWNER_DIR);
    }

    @Override
    public String toString() {
        return "Vault[" + file() + "]";
    }

    @FunctionalInterface
    private interface IoWork<T> {
        T run() throws IOException;
    }

    /** The header as stored; {@code iv} and {@code ciphertext} are null for a vault being created. */
    private record Header(KeySource source, String vaultId, byte[] salt, int iterations, byte[] keyCheck,
                          byte[] iv, byte[] ciphertext, byte[] aad) {

        Header(KeySource source, String vaultId, byte[] salt, int iterations, byte[] keyCheck, byte[] iv, byte[] ciphertext) {
            this(source, vaultId, salt, iterations, keyCheck, iv, ciphertext, null);
        }

        boolean sameKeyAs(Header other) {
            return source == other.source && vaultId.equals(other.vaultId) && Arrays.equals(salt, other.salt)
                    && iterations == other.iterations;
        }

        byte[] encode() throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.write(MAGIC);
            out.writeShort(FORMAT);
            out.writeUTF(source.id());
            out.writeUTF(vaultId);
            out.writeShort(salt.length);
            out.write(salt);
            out.writeInt(iterations);
            out.writeShort(keyCheck.length);
            out.write(keyCheck);
            out.flush();
            return bytes.toByteArray();
        }

        static Header parse(byte[] file, Path path) {
            String damaged = "the vault file " + path + " is not a Cachalot vault or is damaged";
            try {
                DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(file));
                byte[] magic = in.readNBytes(MAGIC.length);
                if (!Arrays.equals(magic, MAGIC)) throw new VaultException(damaged);
                int format = in.readUnsignedShort();
                if (format != FORMAT) {
                    throw new VaultException("the vault file " + path + " has format " + format
                            + ", which this version of Cachalot does not read");
                }
                KeySource source = KeySource.ofId(in.readUTF());
                if (source == null) throw new VaultException(damaged);
                String vaultId = in.readUTF();
                byte[] salt = in.readNBytes(in.readUnsignedShort());
                int iterations = in.readInt();
                byte[] keyCheck = in.readNBytes(in.readUnsignedShort());
                int headerLength = file.length - in.available();
                byte[] iv = in.readNBytes(IV_BYTES);
                if (iv.length != IV_BYTES || keyCheck.length != 16
                        || (source == KeySource.PASSPHRASE && (salt.length < SALT_BYTES || iterations < 1))) {
                    throw new VaultException(damaged);
                }
                byte[] ciphertext = in.readAllBytes();
                return new Header(source, vaultId, salt, iterations, keyCheck, iv, ciphertext,
                        Arrays.copyOf(file, headerLength));
            } catch (EOFException e) {
                throw new VaultException(damaged);
            } catch (IOException e) {
                throw new VaultException(damaged, e);
            }
        }

        @Override
        public String toString() {
            return "Header[" + source.id() + ", " + vaultId + "]";
        }
    }

    /** The plaintext inside the vault: a count, then (name, value) pairs as length-prefixed UTF-8. */
    private static final class Secrets {

        static byte[] encode(Map<String, char[]> secrets) {
            List<byte[]> names = new ArrayList<>();
            List<byte[]> values = new ArrayList<>();
            int size = 4;
            for (Map.Entry<String, char[]> e : secrets.entrySet()) {
                byte[] n = e.getKey().getBytes(StandardCharsets.UTF_8);
                byte[] v = utf8(e.getValue());
                names.add(n);
                values.add(v);
                size += 2 + n.length + 4 + v.length;
            }
            ByteBuffer out = ByteBuffer.allocate(size);
            out.putInt(names.size());
            for (int i = 0; i < names.size(); i++) {
                out.putShort((short) names.get(i).length).put(names.get(i));
                out.putInt(values.get(i).length).put(values.get(i));
                Arrays.fill(values.get(i), (byte) 0);
            }
            return out.array();
        }

        static Map<String, char[]> decode(byte[] plain) {
            ByteBuffer in = ByteBuffer.wrap(plain);
            Map<String, char[]> secrets = new TreeMap<>();
            int count = in.getInt();
            for (int i = 0; i < count; i++) {
                byte[] n = new byte[in.getShort() & 0xffff];
                in.get(n);
                int length = in.getInt();
                ByteBuffer v = in.slice();
                v.limit(length);
                in.position(in.position() + length);
                secrets.put(new String(n, StandardCharsets.UTF_8), chars(v));
            }
            return secrets;
        }

        private static byte[] utf8(char[] value) {
            try {
                ByteBuffer b = StandardCharsets.UTF_8.newEncoder().encode(CharBuffer.wrap(value));
                byte[] out = Arrays.copyOfRange(b.array(), b.position(), b.limit());
                Arrays.fill(b.array(), (byte) 0);
                return out;
            } catch (CharacterCodingException e) {
                throw new VaultException("a secret is not valid text (unpaired surrogate)");
            }
        }

        private static char[] chars(ByteBuffer utf8) {
            try {
                CharBuffer c = StandardCharsets.UTF_8.newDecoder().decode(utf8);
                char[] out = Arrays.copyOfRange(c.array(), c.position(), c.limit());
                Arrays.fill(c.array(), '\0');
                return out;
            } catch (CharacterCodingException e) {
                throw new VaultException("the vault holds a secret that is not valid UTF-8");
            }
        }
    }
}
