package dev.cachalot.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachalot.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The token key file of a cluster: each way it can be unusable stops the start with one line that names the file (and
 * line) and never any key; a usable one signs with its first key and checks with all, so keys can be changed.
 */
class TokenKeysTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path temp;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-05T01:00:00Z"));

    private static String newKey(int bytes) {
        byte[] key = new byte[bytes];
        RANDOM.nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    private Path keyFile(String content, String permissions) throws Exception {
        Path file = temp.resolve("token.key");
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
        return file;
    }

    @Test
    void readsKeysWithCommentsAndBlankLinesTheFirstSigning() throws Exception {
        String current = newKey(32);
        String previous = newKey(48);
        TokenKeys keys = TokenKeys.read(keyFile("# cluster token keys\n" + current + "\n\n" + previous + "\n", "rw-r-----"));
        assertThat(keys.size()).isEqualTo(2);
        assertThat(keys.signing().secret()).isEqualTo(Base64.getDecoder().decode(current));
        assertThat(keys.signingKeyId()).matches("[0-9a-f]{16}")
                .isEqualTo(TokenKeys.of(Base64.getDecoder().decode(current)).signingKeyId());
        assertThat(keys.toString()).doesNotContain(current).doesNotContain(previous);
    }

    @Test
    void aMissingFileSaysHowToMakeOne() {
        Path missing = temp.resolve("absent.key");
        assertThatThrownBy(() -> TokenKeys.read(missing)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the token key file " + missing + " does not exist (make one with 'openssl rand -base64 32' on one"
                        + " node and copy it to every node)");
        assertThatThrownBy(() -> TokenKeys.read(temp)).hasMessageContaining("is not a regular file");
    }

    @Test
    void aShortKeyIsRefusedNamingItsLineNotItsValue() throws Exception {
        String shortKey = newKey(16);
        Path file = keyFile("# comment\n" + newKey(32) + "\n" + shortKey + "\n", "rw-------");
        assertThatThrownBy(() -> TokenKeys.read(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("line 3 of the token key file " + file + " holds a 16-byte key; a token key needs at least 32"
                        + " random bytes (make one with 'openssl rand -base64 32')")
                .hasMessageNotContaining(shortKey);
    }

    @Test
    void textThatIsNotBase64OrNoKeyAtAllIsRefused() throws Exception {
        String notBase64 = "this is not a key!";
        Path file = keyFile(notBase64 + "\n", "rw-------");
        assertThatThrownBy(() -> TokenKeys.read(file)).hasMessage("line 1 of the token key file " + file
                + " is not base64 (make one with 'openssl rand -base64 32')").hasMessageNotContaining(notBase64);
        Path empty = keyFile("# nothing yet\n\n", "rw-------");
        assertThatThrownBy(() -> TokenKeys.read(empty)).hasMessageContaining("holds no key");
        String key = newKey(32);
        Path twice = keyFile(key + "\n" + key + "\n", "rw-------");
        assertThatThrownBy(() -> TokenKeys.read(twice)).hasMessageContaining("line 2 of the token key file")
                .hasMessageContaining("repeats an earlier key").hasMessageNotContaining(key);
    }

    @Test
    void aFileEveryUserMayReadIsNoSecretAndIsRefused() throws Exception {
        String key = newKey(32);
        Path file = keyFile(key + "\n", "rw-r--r--");
        assertThatThrownBy(() -> TokenKeys.read(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the token key file " + file + " may be opened by every user of this machine (rw-r--r--):"
                        + " chmod 600 (or 640 for the engine's group)")
                .hasMessageNotContaining(key);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        assertThat(TokenKeys.read(file).size()).as("the engine's group may read it").isEqualTo(1);
    }

    @Test
    void rotationLeavesTokensInFlightValid() {
        byte[] old = Base64.getDecoder().decode(newKey(32));
        byte[] next = Base64.getDecoder().decode(newKey(32));
        Principal bob = new Principal("bob", null);
        List<Scope> pull = List.of(Scope.parse("repository:a:pull"));

        TokenIssuer before = new TokenIssuer(TokenKeys.of(old), "cachalot", clock);
        TokenIssuer nextListed = new TokenIssuer(TokenKeys.parse(List.of(encode(old), encode(next)), "test"), "cachalot", clock);
        TokenIssuer nextSigning = new TokenIssuer(TokenKeys.parse(List.of(encode(next), encode(old)), "test"), "cachalot", clock);
        TokenIssuer after = new TokenIssuer(TokenKeys.of(next), "cachalot", clock);

        String fromBefore = before.issue(TokenIssuer.Kind.ACCESS, bob, pull, clock.instant());
        assertThat(nextListed.check(fromBefore, TokenIssuer.Kind.ACCESS)).isNotNull();
        assertThat(nextSigning.check(fromBefore, TokenIssuer.Kind.ACCESS)).as("the old key still checks").isNotNull();
        String fromNext = nextSigning.issue(TokenIssuer.Kind.ACCESS, bob, pull, clock.instant());
        assertThat(nextListed.check(fromNext, TokenIssuer.Kind.ACCESS)).as("a node not moved yet").isNotNull();
        assertThat(after.check(fromNext, TokenIssuer.Kind.ACCESS)).isNotNull();
        assertThat(after.check(fromBefore, TokenIssuer.Kind.ACCESS)).as("the old key dropped").isNull();
        assertThat(before.check(fromNext, TokenIssuer.Kind.ACCESS)).as("a key the node does not hold").isNull();
    }

    private static String encode(byte[] key) {
        return Base64.getEncoder().encodeToString(key);
    }
}
