package dev.cachalot.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachalot.security.Authority.Caller;
import dev.cachalot.security.Authority.Decision;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.storage.Database;
import dev.cachalot.testing.MutableClock;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The access decisions on a real metadata database (H2 on a temp folder), with a clock the test moves. */
class AuthorityTest {
    private static final char[] ALICE_PASSWORD = "alice-password".toCharArray();
    private static final char[] BOB_PASSWORD = "bob-password-1".toCharArray();

    @TempDir
    Path temp;

    private Database database;
    private UserStore store;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-04T12:00:00Z"));
    private byte[] key;

    @BeforeEach
    void open() {
        database = Database.open(new DataFolder(temp.resolve("data")));
        store = new JdbcUserStore(database);
        store.add(new User("alice", Role.PUSH, RepositoryPattern.parse("team/*"), Passwords.hash(ALICE_PASSWORD.clone()), clock.instant()));
        store.add(new User("bob", Role.PULL, RepositoryPattern.ALL, Passwords.hash(BOB_PASSWORD.clone()), clock.instant()));
        key = SigningKey.loadOrCreate(temp.resolve("security"));
    }

    @AfterEach
    void close() {
        database.close();
    }

    private Authority authority(boolean anonymousPull) {
        return new Authority(store, () -> Accounts.load(store), TokenKeys.of(key), "cachalot", new Authority.Settings(anonymousPull, false),
                new LoginThrottle(), clock);
    }

    @Test
    void aPasswordSignsInAndTheRoleAndPatternDecide() {
        Authority authority = authority(false);
        Caller alice = authority.basic("alice", ALICE_PASSWORD.clone(), "10.0.0.1");
        assertThat(authority.decide(alice, Permission.PUSH, "team/app")).isEqualTo(Decision.ALLOWED);
        assertThat(authority.decide(alice, Permission.DELETE, "team/app")).isEqualTo(Decision.ALLOWED);
        assertThat(authority.decide(alice, Permission.PULL, "other/app")).as("outside team/*").isEqualTo(Decision.DENIED);
        Caller bob = authority.basic("bob", BOB_PASSWORD.clone(), "10.0.0.1");
        assertThat(authority.decide(bob, Permission.PULL, "other/app")).isEqualTo(Decision.ALLOWED);
        assertThat(authority.decide(bob, Permission.PUSH, "team/app")).isEqualTo(Decision.DENIED);
        assertThat(authority.decide(bob, Permission.ADMIN, "")).isEqualTo(Decision.DENIED);
    }

    @Test
    void aWrongPasswordOrAnUnknownUserIsRefusedAlike() {
        Authority authority = authority(false);
        assertThatThrownBy(() -> authority.basic("alice", "alice-passworD".toCharArray(), "10.0.0.1"))
                .isInstanceOfSatisfying(Authority.LoginRefused.class, e -> assertThat(e.retryAfterSeconds()).isZero())
                .hasMessage("wrong user name or password");
        assertThatThrownBy(() -> authority.basic("mallory", "whatever-pw".toCharArray(), "10.0.0.1"))
                .hasMessage("wrong user name or password");
    }

    @Test
    void anAddressThatFailedTooOftenWaitsEvenWithTheRightPassword() {
        Authority authority = authority(false);
        for (int i = 0; i < LoginThrottle.BURST; i++) {
            assertThatThrownBy(() -> authority.basic("bob", "guess-guess".toCharArray(), "10.0.0.9"))
                    .isInstanceOf(Authority.LoginRefused.class);
        }
        assertThatThrownBy(() -> authority.basic("bob", BOB_PASSWORD.clone(), "10.0.0.9"))
                .isInstanceOfSatisfying(Authority.LoginRefused.class, e -> assertThat(e.retryAfterSeconds()).isPositive());
        assertThat(authority.basic("bob", BOB_PASSWORD.clone(), "10.0.0.10").principal().user()).isEqualTo("bob");
    }

    @Test
    void anonymousCallersMayPullOnlyWhenAllowedAndNeverPushOrDelete() {
        Authority closed = authority(false);
        assertThat(closed.decide(Caller.ANONYMOUS, Permission.PULL, "team/app")).isEqualTo(Decision.UNAUTHENTICATED);
        Authority open = authority(true);
        assertThat(open.decide(Caller.ANONYMOUS, Permission.PULL, "team/app")).isEqualTo(Decision.ALLOWED);
        assertThat(open.decide(Caller.ANONYMOUS, Permission.PUSH, "team/app")).isEqualTo(Decision.UNAUTHENTICATED);
        assertThat(open.decide(Caller.ANONYMOUS, Permission.DELETE, "team/app")).isEqualTo(Decision.UNAUTHENTICATED);
        assertThat(open.issue(Caller.ANONYMOUS, List.of(Scope.parse("repository:team/app:pull,push,delete")), true))
                .satisfies(t -> {
                    assertThat(t.granted()).extracting(Scope::toString).containsExactly("repository:team/app:pull");
                    assertThat(t.refreshToken()).as("no refresh token for nobody").isNull();
                });
    }

    @Test
    void anIssuedTokenGrantsOnlyWhatTheUserMayAndEndsAfterFiveMinutes() {
        Authority authority = authority(false);
        Caller alice = authority.basic("alice", ALICE_PASSWORD.clone(), "10.0.0.1");
        Authority.IssuedToken issued = authority.issue(alice, List.of(Scope.parse("repository:team/app:*"),
                Scope.parse("repository:other/app:pull"), Scope.parse("registry:catalog:*")), false);
        assertThat(issued.granted()).extracting(Scope::toString).containsExactly("repository:team/app:pull,push,delete");
        assertThat(issued.expiresIn()).isEqualTo(Duration.ofMinutes(5));

        Caller bearer = authority.bearer(issued.token());
        assertThat(bearer.principal().user()).isEqualTo("alice");
        assertThat(authority.decide(bearer, Permission.PUSH, "team/app")).isEqualTo(Decision.ALLOWED);
        assertThat(authority.decide(bearer, Permission.PULL, "team/other"))
                .as("allowed to alice, but not in this token: the client must fetch one that has it")
                .isEqualTo(Decision.UNAUTHENTICATED);

        clock.advance(Duration.ofMinutes(5));
        assertThat(authority.bearer(issued.token())).as("expired").isNull();
    }

    @Test
    void aTokenSignedWithAnotherKeyOrTamperedWithIsNoToken() {
        Authority authority = authority(false);
        String token = authority.issue(authority.basic("bob", BOB_PASSWORD.clone(), "10.0.0.1"),
                List.of(Scope.parse("repository:a:pull")), false).token();
        byte[] otherKey = new byte[32];
        new SecureRandom().nextBytes(otherKey);
        Authority other = new Authority(store, () -> Accounts.load(store), TokenKeys.of(otherKey), "cachalot",
                new Authority.Settings(false, false), new LoginThrottle(), clock);
        assertThat(other.bearer(token)).isNull();
        String[] parts = token.split("\\.");
        String tampered = parts[0] + "." + parts[1].substring(0, parts[1].length() - 2) + "AA." + parts[2];
        assertThat(authority.bearer(tampered)).isNull();
        assertThat(authority.bearer("not-a-jwt")).isNull();
    }

    @Test
    void anAccessTokenStandsInForThePasswordUntilItExpiresOrIsRevoked() {
        Authority authority = authority(false);
        String secret = TokenSecrets.newSecret();
        store.add(AccessToken.create("ci", "alice", TokenSecrets.hash(secret), clock.instant(), clock.instant().plus(Duration.ofDays(1))));

        Caller ci = authority.basic("alice", secret.toCharArray(), "10.0.0.1");
        assertThat(ci.principal().tokenId()).isNotNull();
        assertThatThrownBy(() -> authority.basic("bob", secret.toCharArray(), "10.0.0.1"))
                .as("another user's token").isInstanceOf(Authority.LoginRefused.class);
        String bearer = authority.issue(ci, List.of(Scope.parse("repository:team/app:pull")), false).token();
        assertThat(store.tokens()).singleElement().satisfies(t -> assertThat(t.lastUsed()).isEqualTo(clock.instant()));

        assertThat(store.revoke("ci")).isTrue();
        assertThatThrownBy(() -> authority.basic("alice", secret.toCharArray(), "10.0.0.1")).isInstanceOf(Authority.LoginRefused.class);
        assertThat(authority.decide(authority.bearer(bearer), Permission.PULL, "team/app"))
                .as("a token issued for the revoked one ends with it").isEqualTo(Decision.UNAUTHENTICATED);
    }

    @Test
    void anAccessTokenSentAsABearerStandsForItsUserUntilRevoked() {
        Authority authority = authority(false);
        String secret = TokenSecrets.newSecret();
        store.add(AccessToken.create("ops", "alice", TokenSecrets.hash(secret), clock.instant(), clock.instant().plus(Duration.ofDays(1))));

        Caller ops = authority.bearer(secret);
        assertThat(ops).isNotNull();
        assertThat(ops.principal().user()).isEqualTo("alice");
        assertThat(authority.decide(ops, Permission.PULL, "team/app")).isEqualTo(Decision.ALLOWED);
        assertThat(authority.bearer(TokenSecrets.newSecret())).as("an unknown access token").isNull();

        assertThat(store.revoke("ops")).isTrue();
        assertThat(authority.bearer(secret)).as("revoked").isNull();
    }

    @Test
    void anExpiredAccessTokenIsRefused() {
        Authority authority = authority(false);
        String secret = TokenSecrets.newSecret();
        store.add(AccessToken.create("short", "bob", TokenSecrets.hash(secret), clock.instant(), clock.instant().plus(Duration.ofHours(1))));
        assertThat(authority.basic("bob", secret.toCharArray(), "10.0.0.1").principal().user()).isEqualTo("bob");
        clock.advance(Duration.ofHours(1));
        assertThatThrownBy(() -> authority.basic("bob", secret.toCharArray(), "10.0.0.1")).isInstanceOf(Authority.LoginRefused.class);
    }

    @Test
    void aRefreshTokenWorksWhileItsUserExists() {
        Authority authority = authority(false);
        Authority.IssuedToken issued = authority.issue(authority.basic("bob", BOB_PASSWORD.clone(), "10.0.0.1"), List.of(), true);
        assertThat(issued.refreshToken()).isNotNull();
        assertThat(authority.bearer(issued.refreshToken())).as("a refresh token is not an access token").isNull();
        assertThat(authority.refresh(issued.token())).as("nor the other way round").isNull();
        assertThat(authority.refresh(issued.refreshToken()).principal().user()).isEqualTo("bob");

        assertThat(store.remove("bob")).isTrue();
        assertThat(authority.refresh(issued.refreshToken())).isNull();
        assertThat(authority.decide(authority.bearer(issued.token()), Permission.PULL, "a")).isEqualTo(Decision.UNAUTHENTICATED);
    }

    @Test
    void theSigningKeyIsMadeOnceOwnerOnlyAndReadBack() throws Exception {
        Path folder = temp.resolve("keys");
        byte[] first = SigningKey.loadOrCreate(folder);
        assertThat(first).hasSize(32);
        assertThat(SigningKey.loadOrCreate(folder)).isEqualTo(first);
        assertThat(java.nio.file.Files.getPosixFilePermissions(folder.resolve(SigningKey.FILE)))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    }
}
