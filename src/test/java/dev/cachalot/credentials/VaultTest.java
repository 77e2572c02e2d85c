package dev.cachalot.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachalot.storage.DataFolder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VaultTest {

    private static final String PASSWORD = "s3cr3t-Pässword!";

    @TempDir
    Path dir;
    private final Map<String, String> env = new HashMap<>();
    private final FakeKeyring keyring = new FakeKeyring();

    private Vault vault(Keyring k) {
        return vault(k, PassphrasePrompt.NONE);
    }

    private Vault vault(Keyring k, PassphrasePrompt prompt) {
        return new Vault(new DataFolder(dir), new VaultOptions(env::get, k, prompt, VaultOptions.MIN_ITERATIONS));
    }

    @Test
    void keepsSecretsInAKeyFileVaultWithOwnerOnlyFiles() throws IOException {
        Vault vault = vault(Keyring.NONE);
        vault.set("hub-password", PASSWORD.toCharArray());

        assertThat(vault.keySource()).isEqualTo(KeySource.KEY_FILE);
        Path keyFile = dir.resolve("vault").resolve(Vault.KEY_FILE_NAME);
        assertThat(Files.size(keyFile)).isEqualTo(32);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(vault.file()))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("vault")))).isEqualTo("rwx------");

        Vault reopened = vault(Keyring.NONE);
        assertThat(reopened.get("hub-password")).hasValueSatisfying(v -> assertThat(new String(v)).isEqualTo(PASSWORD));
        assertThat(reopened.keySource()).isEqualTo(KeySource.KEY_FILE);
    }

    @Test
    void derivesTheKeyFromThePassphraseWhenNoKeyringIsReachable() {
        env.put(VaultOptions.PASSPHRASE_ENV, "correct horse battery staple");
        Vault vault = vault(Keyring.NONE);
        vault.set("quay-token", PASSWORD.toCharArray());

        assertThat(vault.keySource()).isEqualTo(KeySource.PASSPHRASE);
        assertThat(dir.resolve("vault").resolve(Vault.KEY_FILE_NAME)).doesNotExist();
        assertThat(new String(vault(Keyring.NONE).get("quay-token").orElseThrow())).isEqualTo(PASSWORD);
    }

    @Test
    void refusesAWrongPassphraseWithAClearMessage() {
        env.put(VaultOptions.PASSPHRASE_ENV, "correct horse battery staple");
        vault(Keyring.NONE).set("quay-token", PASSWORD.toCharArray());

        env.put(VaultOptions.PASSPHRASE_ENV, "wrong horse");
        assertThatThrownBy(() -> vault(Keyring.NONE).get("quay-token"))
                .isInstanceOf(VaultException.class)
                .hasMessageStartingWith("wrong vault passphrase")
                .hasMessageContaining(VaultOptions.PASSPHRASE_ENV)
                .hasMessageNotContaining("wrong horse");
    }

    @Test
    void saysAPassphraseIsNeededWhenItIsMissingLater() {
        env.put(VaultOptions.PASSPHRASE_ENV, "correct horse battery staple");
        vault(Keyring.NONE).set("quay-token", PASSWORD.toCharArray());

        env.clear();
        assertThatThrownBy(() -> vault(Keyring.NONE).list())
                .isInstanceOf(VaultException.class)
                .hasMessage("the vault is locked: it is protected by a passphrase, and none was given (start the engine with the passphrase in CACHALOT_VAULT_PASSPHRASE)");
        // Neither does a keyring showing up later change what protects an existing vault.
        assertThatThrownBy(() -> vault(keyring).list()).hasMessageContaining("protected by a passphrase");
    }

    @Test
    void asksThePromptWhenThePassphraseIsNotInTheEnvironment() {
        env.put(VaultOptions.PASSPHRASE_ENV, "correct horse battery staple");
        vault(Keyring.NONE).set("quay-token", PASSWORD.toCharArray());
        env.clear();

        Vault prompted = vault(Keyring.NONE, message -> "correct horse battery staple".toCharArray());
        assertThat(prompted.list()).containsExactly("quay-token");
    }

    @Test
    void keepsARandomKeyInTheKeyringWhenOneIsReachable() {
        Vault vault = vault(keyring);
        vault.set("ghcr-token", PASSWORD.toCharArray());

        assertThat(vault.keySource()).isEqualTo(KeySource.KEYRING);
        assertThat(keyring.entries).hasSize(1);
        assertThat(dir.resolve("vault").resolve(Vault.KEY_FILE_NAME)).doesNotExist();
        assertThat(new String(vault(keyring).get("ghcr-token").orElseThrow())).isEqualTo(PASSWORD);
    }

    @Test
    void saysWhenTheKeyringIsNotReachableOrHasLostTheKey() {
        vault(keyring).set("ghcr-token", PASSWORD.toCharArray());

        keyring.available = false;
        assertThatThrownBy(() -> vault(keyring).list()).isInstanceOf(VaultException.class)
                .hasMessageContaining("protected by a key in the OS keyring, which is not reachable now");
        keyring.available = true;
        keyring.entries.clear();
        assertThatThrownBy(() -> vault(keyring).list()).isInstanceOf(VaultException.class)
                .hasMessageContaining("has no key for the vault");
    }

    @Test
    void saysWhenTheKeyFileIsMissing() throws IOException {
        vault(Keyring.NONE).set("hub-password", PASSWORD.toCharArray());
        Files.delete(dir.resolve("vault").resolve(Vault.KEY_FILE_NAME));

        assertThatThrownBy(() -> vault(Keyring.NONE).list()).isInstanceOf(VaultException.class)
                .hasMessageContaining("protected by the key file").hasMessageContaining("which is missing");
    }

    @Test
    void detectsATamperedCiphertext() throws IOException {
        Vault vault = vault(Keyring.NONE);
        vault.set("hub-password", PASSWORD.toCharArray());
        byte[] bytes = Files.readAllBytes(vault.file());
        bytes[bytes.length - 5] ^= 1;
        Files.write(vault.file(), bytes);

        assertThatThrownBy(() -> vault(Keyring.NONE).get("hub-password")).isInstanceOf(VaultException.class)
                .hasMessageContaining("damaged or was tampered with");
        // The same instance, which already holds the key, also refuses.
        assertThatThrownBy(() -> vault.list()).hasMessageContaining("damaged or was tampered with");
    }

    @Test
    void detectsATamperedHeader() throws IOException {
        env.put(VaultOptions.PASSPHRASE_ENV, "correct horse battery staple");
        Vault vault = vault(Keyring.NONE);
        vault.set("hub-password", PASSWORD.toCharArray());
        byte[] bytes = Files.readAllBytes(vault.file());
        bytes[0] ^= 1; // the magic
        Files.write(vault.file(), bytes);

        assertThatThrownBy(() -> vault(Keyring.NONE).list()).isInstanceOf(VaultException.class)
                .hasMessageContaining("is not a Cachalot vault or is damaged");
    }

    @Test
    void writesAFreshIvOnEveryWriteAndNeverThePlaintext() throws IOException {
        Vault vault = vault(Keyring.NONE);
        vault.set("hub-password", PASSWORD.toCharArray());
        byte[] first = Files.readAllBytes(vault.file());
        vault.set("hub-password", PASSWORD.toCharArray());
        byte[] second = Files.readAllBytes(vault.file());

        assertThat(second).isNotEqualTo(first);
        for (byte[] file : new byte[][]{first, second}) {
            assertThat(Bytes.contains(file, PASSWORD.getBytes(StandardCharsets.UTF_8))).isFalse();
            assertThat(Bytes.contains(file, PASSWORD.getBytes(StandardCharsets.UTF_16LE))).isFalse();
            assertThat(Bytes.contains(file, "hub-password".getBytes(StandardCharsets.UTF_8))).isFalse();
        }
        try (var files = Files.list(dir.resolve("vault"))) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".tmp-"));
        }
    }

    @Test
    void listsSortedNamesAndDeletes() {
        Vault vault = vault(Keyring.NONE);
        vault.set("b-secret", "2".toCharArray());
        vault.set("a-secret", "1".toCharArray());

        assertThat(vault.list()).containsExactly("a-secret", "b-secret");
        assertThat(vault.exists("a-secret")).isTrue();
        assertThat(vault.delete("a-secret")).isTrue();
        assertThat(vault.delete("a-secret")).isFalse();
        assertThat(vault.exists("a-secret")).isFalse();
        assertThat(vault.get("a-secret")).isEmpty();
        assertThat(vault.resolve("vault:b-secret")).hasValueSatisfying(v -> assertThat(v).containsExactly('2'));
    }

    @Test
    void seesWhatAnotherInstanceWrote() {
        Vault engine = vault(Keyring.NONE);
        engine.set("first", "1".toCharArray());
        Vault cli = vault(Keyring.NONE);
        cli.set("second", "2".toCharArray());

        assertThat(engine.list()).containsExactly("first", "second");
    }

    @Test
    void clearsTheValueItWasGiven() {
        char[] value = PASSWORD.toCharArray();
        vault(Keyring.NONE).set("hub-password", value);
        assertThat(new String(value)).isEqualTo("\0".repeat(PASSWORD.length()));
    }

    @Test
    void refusesBadNamesWithoutEchoingTheValue() {
        assertThatThrownBy(() -> vault(Keyring.NONE).set("Hub_Password", PASSWORD.toCharArray()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lowercase letters, digits and hyphens")
                .hasMessageNotContaining(PASSWORD);
        assertThat(SecretId.problem("hub-password")).contains("vault:<name>");
        assertThat(SecretId.problem("vault:" + "a".repeat(64))).isNotNull();
        assertThat(SecretId.problem("vault:" + "a".repeat(63))).isNull();
    }

    @Test
    void refusesToReplaceAKeyFileWhoseVaultIsGone() throws IOException {
        Vault vault = vault(Keyring.NONE);
        vault.set("hub-password", PASSWORD.toCharArray());
        Files.delete(vault.file());

        assertThatThrownBy(() -> vault(Keyring.NONE).list()).isInstanceOf(VaultException.class)
                .hasMessageContaining("move the key file away");
    }
}
