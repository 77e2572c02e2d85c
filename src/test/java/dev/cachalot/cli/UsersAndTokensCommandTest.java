package dev.cachalot.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code users} and {@code tokens} as the contract writes them, and their refusals: one line each, never a secret. */
class UsersAndTokensCommandTest {
    @TempDir
    Path temp;

    private Cli cli;
    private final InputStream originalIn = System.in;

    @BeforeEach
    void setUp() {
        cli = new Cli(temp.resolve("data"));
    }

    @AfterEach
    void restoreStdin() {
        System.setIn(originalIn);
    }

    private Cli.Run withStdin(String stdin, String... args) {
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        return cli.run(args);
    }

    @Test
    void usersAreAddedWithThePasswordFromTheFirstLineOfStdinListedAndRemoved() {
        assertThat(withStdin("first-line-pw\nsecond line\n", "users", "add", "dana", "--role", "push", "--repositories", "team/*")
                .succeeded().out()).isEqualTo("Added user dana (push on team/*)\n");
        withStdin("other-password\n", "users", "add", "eve", "--role", "PULL").succeeded();

        Cli.Run list = cli.run("users", "list").succeeded();
        assertThat(list.header().split(" {2,}")).containsExactly("NAME", "ROLE", "REPOSITORIES", "CREATED");
        assertThat(list.rows()).extracting(r -> r.subList(0, 3)).containsExactly(
                java.util.List.of("dana", "push", "team/*"), java.util.List.of("eve", "pull", "*"));
        assertThat(cli.run("users", "list", "--json").succeeded().out()).doesNotContain("first-line-pw", "$2y$");

        assertThat(cli.run("users", "remove", "eve").succeeded().out()).isEqualTo("Removed user eve\n");
        assertThat(cli.run("users", "remove", "eve").failedWithOneLine()).isEqualTo("cachalot: there is no user named 'eve'");
    }

    @Test
    void refusalsAreOneLineThatSaysWhatToDo() {
        withStdin("long-enough\n", "users", "add", "dana", "--role", "pull").succeeded();
        assertThat(withStdin("long-enough\n", "users", "add", "dana", "--role", "pull").failedWithOneLine())
                .isEqualTo("cachalot: a user named 'dana' exists already");
        assertThat(withStdin("long-enough\n", "users", "add", "x", "--role", "delete").failedWithOneLine())
                .isEqualTo("cachalot: unknown role 'delete': use pull, push or admin");
        assertThat(withStdin("long-enough\n", "users", "add", "x", "--role", "pull", "--repositories", "team*").failedWithOneLine())
                .startsWith("cachalot: invalid repository pattern 'team*'");
        assertThat(withStdin("short\n", "users", "add", "x", "--role", "pull").failedWithOneLine())
                .isEqualTo("cachalot: the password must have at least 8 characters");
        assertThat(withStdin("", "users", "add", "x", "--role", "pull").failedWithOneLine())
                .contains("standard input, found nothing");
        assertThat(withStdin("long-enough\n", "users", "add", "-bad-", "--role", "pull").exit()).isNotZero();
        assertThat(cli.run("tokens", "create", "--name", "ci", "--user", "nobody").failedWithOneLine())
                .isEqualTo("cachalot: there is no user named 'nobody'");
        assertThat(cli.run("tokens", "create", "--name", "ci", "--user", "dana", "--expires", "soon").failedWithOneLine())
                .startsWith("cachalot: invalid --expires 'soon'");
        assertThat(cli.run("tokens", "revoke", "ci").failedWithOneLine()).isEqualTo("cachalot: there is no token named 'ci'");
    }

    @Test
    void aTokenIsPrintedOnceAloneOnStdoutAndListedWithoutItsSecret() {
        withStdin("long-enough\n", "users", "add", "dana", "--role", "push").succeeded();
        Cli.Run created = cli.run("tokens", "create", "--name", "ci", "--user", "dana", "--expires", "never");
        assertThat(created.exit()).isZero();
        assertThat(created.out()).matches("cachalot_[A-Za-z0-9_-]{43}\n");
        assertThat(created.err()).contains("never expires", "cannot be shown again");

        Cli.Run list = cli.run("tokens", "list").succeeded();
        assertThat(list.header().split(" {2,}")).containsExactly("NAME", "USER", "CREATED", "EXPIRES", "LAST USED");
        assertThat(list.rows()).singleElement().satisfies(row -> {
            assertThat(row.get(0)).isEqualTo("ci");
            assertThat(row.get(3)).isEqualTo("never");
            assertThat(row.get(4)).isEqualTo("never");
        });
        assertThat(list.out() + cli.run("tokens", "list", "--json").succeeded().out()).doesNotContain(created.out().strip());
        assertThat(cli.run("tokens", "create", "--name", "ci", "--user", "dana").failedWithOneLine())
                .isEqualTo("cachalot: a token named 'ci' exists already");

        cli.run("users", "remove", "dana").succeeded();
        assertThat(cli.run("tokens", "list").succeeded().rows()).as("a user's tokens go with them").isEmpty();
    }

    @Test
    void lifetimesAreDaysHoursMinutesOrNever() {
        assertThat(TokensCommand.lifetime("30d")).isEqualTo(Duration.ofDays(30));
        assertThat(TokensCommand.lifetime("12h")).isEqualTo(Duration.ofHours(12));
        assertThat(TokensCommand.lifetime("90m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(TokensCommand.lifetime("Never")).isNull();
        assertThatThrownBy(() -> TokensCommand.lifetime("0d")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TokensCommand.lifetime("1y")).isInstanceOf(IllegalArgumentException.class);
    }
}
