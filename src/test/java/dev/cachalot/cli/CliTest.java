package dev.cachalot.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cachalot.engine.Engine;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.RegistryReader;
import dev.cachalot.testing.TestBlob;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI as a contract: every command run in-process on a temp data folder, its table and {@code --json} output
 * checked, and every failure one line {@code cachalot: ...} on stderr with a non-zero exit.
 * One real upstream (docker-registry) and one pulled image give {@code repos} and {@code stats} something to show.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CliTest {

    @TempDir
    static Path temp;

    private DockerRegistryFixture upstream;
    private Cli cli;
    private TestImage image;

    @BeforeAll
    void pullOneImageThroughARuleMadeWithTheCli() {
        upstream = DockerRegistryFixture.start();
        image = new TestImages(7).ociImage();
        new RegistryPusher(upstream.url()).push("team/app", "1.0", image);
        Path data = temp.resolve("data");
        cli = new Cli(data);
        cli.run("upstream", "add", "--login-server", upstream.hostPort(), "--endpoint", upstream.url()).succeeded();
        cli.run("rules", "create", "--name", "team-cache", "--source", upstream.hostPort() + "/team/*", "--target", "team/*").succeeded();

        try (Engine engine = Engine.open(new DataFolder(data))) {
            engine.startServer("127.0.0.1:0");
            RegistryReader cache = new RegistryReader("http://127.0.0.1:" + engine.port());
            assertThat(cache.manifest("team/app", "1.0", TestImages.ACCEPT_ALL_MANIFESTS).status()).isEqualTo(200);
            for (TestBlob blob : image.blobs()) assertThat(cache.blob("team/app", blob.digest()).digest()).isEqualTo(blob.digest());
            engine.flushEvents();
        }
    }

    @AfterAll
    void stopUpstream() {
        if (upstream != null) upstream.close();
    }

    // ------------------------------------------------------------------ upstreams

    @Test
    void upstreamListShowsTheBuiltInCatalogAndTheCustomUpstream() {
        Cli.Run table = cli.run("upstream", "list").succeeded();
        assertThat(table.header()).matches("LOGIN SERVER +ENDPOINT +AUTH +KIND");
        assertThat(table.rows()).contains(List.of("docker.io", "https://registry-1.docker.io", "authenticated only", "built-in"),
                List.of(upstream.hostPort(), upstream.url(), "both", "custom"));

        JsonNode json = cli.run("upstream", "list", "--json").succeeded().json();
        assertThat(json.isArray()).isTrue();
        JsonNode custom = find(json, "loginServer", upstream.hostPort());
        assertThat(custom.get("endpoint").asText()).isEqualTo(upstream.url());
        assertThat(custom.get("authMode").asText()).isEqualTo("BOTH");
        assertThat(custom.get("builtIn").asBoolean()).isFalse();
        assertThat(custom.get("caCert").asBoolean()).isFalse();
        assertThat(find(json, "loginServer", "docker.io").get("builtIn").asBoolean()).isTrue();
    }

    @Test
    void upstreamAddAndRemoveACustomUpstream() {
        assertThat(cli.run("upstream", "add", "--login-server", "Mirror.Example.Test:5000", "--endpoint", "http://127.0.0.1:1/")
                .succeeded().out()).isEqualTo("Added upstream mirror.example.test:5000 -> http://127.0.0.1:1\n");
        assertThat(loginServers()).contains("mirror.example.test:5000");

        assertThat(cli.run("upstream", "remove", "mirror.example.test:5000").succeeded().out())
                .isEqualTo("Removed upstream mirror.example.test:5000\n");
        assertThat(loginServers()).doesNotContain("mirror.example.test:5000");
    }

    @Test
    void upstreamAddRefusesAnEndpointWithCredentialsWithoutEchoingThem() {
        String line = cli.run("upstream", "add", "--login-server", "secret.example.test",
                "--endpoint", "https://alice:hunter2-s3cret@secret.example.test").failedWithOneLine();

        assertThat(line).contains("may not contain a user name or password").doesNotContain("hunter2-s3cret").doesNotContain("alice");
        assertThat(loginServers()).doesNotContain("secret.example.test");
    }

    @Test
    void aMistypedOptionCarryingAPasswordIsNotEchoed() {
        Cli.Run run = cli.run("upstream", "add", "--login-server", "typo.example.test", "--endpoint",
                "https://typo.example.test", "--ca-certs=https://bob:hunter3-s3cret@typo.example.test");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).startsWith("cachalot: ").contains("--ca-certs=https://***@typo.example.test").doesNotContain("hunter3-s3cret");
    }

    @Test
    void upstreamAddRefusesABuiltInLoginServerAndAMalformedEndpoint() {
        assertThat(cli.run("upstream", "add", "--login-server", "quay.io", "--endpoint", "https://quay.io").failedWithOneLine())
                .isEqualTo("cachalot: 'quay.io' is a built-in upstream and cannot be added as a custom one");
        assertThat(cli.run("upstream", "add", "--login-server", "x.example.test", "--endpoint", "ftp://x.example.test").failedWithOneLine())
                .isEqualTo("cachalot: the endpoint of a custom upstream must be http(s)://host[:port]: 'ftp://x.example.test'");
    }

    @Test
    void upstreamRemoveOfAnUnknownUpstreamFails() {
        assertThat(cli.run("upstream", "remove", "nowhere.example.test:5000").failedWithOneLine())
                .isEqualTo("cachalot: no custom upstream 'nowhere.example.test:5000'");
    }

    @Test
    void upstreamRemoveIsRefusedWhileARuleUsesIt() {
        assertThat(cli.run("upstream", "remove", upstream.hostPort()).failedWithOneLine())
                .isEqualTo("cachalot: upstream '" + upstream.hostPort() + "' is used by rule 'team-cache': delete or change them first");
    }

    // ------------------------------------------------------------------ rules

    @Test
    void rulesCreateListShowUpdateAndDelete() {
        String source = upstream.hostPort() + "/web/nginx";
        assertThat(cli.run("rules", "create", "--name", "web-nginx", "--source", source, "--target", "web/nginx").succeeded().out())
                .isEqualTo("Created rule web-nginx: " + source + " -> web/nginx\n");

        Cli.Run table = cli.run("rules", "list").succeeded();
        assertThat(table.header()).startsWith("NAME").contains("SOURCE", "TARGET", "CREDENTIAL SET", "FRESHNESS", "CREATED");
        assertThat(table.rows()).anySatisfy(row -> assertThat(row.subList(0, 5)).containsExactly("web-nginx", source, "web/nginx", "-", "revalidate"));

        JsonNode rule = find(cli.run("rules", "list", "--json").succeeded().json(), "name", "web-nginx");
        assertThat(fieldNames(rule)).containsExactly("name", "sourceRepository", "targetRepository", "credentialSet", "freshness",
                "creationDate", "provisioningState", "sync", "syncPolicy");
        assertThat(rule.get("sync").asText()).isEqualTo("passive, tags *, platforms all");
        assertThat(fieldNames(rule.get("syncPolicy"))).containsExactly("mode", "tags", "platforms", "interval", "repositories",
                "referrers", "includeArtifactTypes", "excludeArtifactTypes");
        assertThat(rule.get("syncPolicy").get("referrers").asText()).isEqualTo("false");
        assertThat(rule.get("sourceRepository").asText()).isEqualTo(source);
        assertThat(rule.get("targetRepository").asText()).isEqualTo("web/nginx");
        assertThat(rule.get("credentialSet").isNull()).isTrue();
        assertThat(rule.get("freshness").asText()).isEqualTo("revalidate");
        assertThat(rule.get("provisioningState").asText()).isEqualTo("Succeeded");
        assertThat(Instant.parse(rule.get("creationDate").asText())).isBefore(Instant.now().plusSeconds(1));

        assertThat(cli.run("rules", "show", "web-nginx").succeeded().out().lines())
                .contains("name: web-nginx", "sourceRepository: " + source, "targetRepository: web/nginx", "credentialSet: -",
                        "freshness: revalidate", "provisioningState: Succeeded");
        assertThat(cli.run("rules", "show", "web-nginx", "--json").succeeded().json()).isEqualTo(rule);

        try (Engine engine = Engine.open(new DataFolder(temp.resolve("data")))) {
            engine.createCredentialSet("web-creds", upstream.hostPort(), "web", "not-a-real-password".toCharArray());
        }
        assertThat(cli.run("rules", "update", "web-nginx", "--credential-set", "no-such-set").failedWithOneLine())
                .isEqualTo("cachalot: there is no credential set named 'no-such-set': create it first");
        assertThat(cli.run("rules", "update", "web-nginx", "--credential-set", "web-creds").succeeded().out())
                .isEqualTo("Updated rule web-nginx: credential set web-creds\n");
        assertThat(cli.run("rules", "show", "web-nginx", "--json").succeeded().json().get("credentialSet").asText()).isEqualTo("web-creds");
        assertThat(cli.run("rules", "update", "web-nginx", "--remove-credential-set").succeeded().out())
                .isEqualTo("Updated rule web-nginx: credential set (none)\n");

        assertThat(cli.run("rules", "delete", "web-nginx").succeeded().out()).isEqualTo("Deleted rule web-nginx\n");
        assertThat(cli.run("rules", "list", "--json").succeeded().json()).noneSatisfy(r -> assertThat(r.get("name").asText()).isEqualTo("web-nginx"));
    }

    @Test
    void rulesCreateAcceptsATtlFreshnessPolicy() {
        cli.run("rules", "create", "--name", "ttl-rule", "--source", upstream.hostPort() + "/ttl/app", "--target", "ttl/app",
                "--freshness", "ttl:10m").succeeded();
        try {
            assertThat(cli.run("rules", "show", "ttl-rule", "--json").succeeded().json().get("freshness").asText()).isEqualTo("ttl:10m");
        } finally {
            cli.run("rules", "delete", "ttl-rule").succeeded();
        }
    }

    @Test
    void rulesCreateRefusesAnUnknownFreshnessPolicy() {
        assertThat(cli.run("rules", "create", "--name", "fresh-rule", "--source", upstream.hostPort() + "/fresh/app", "--target",
                "fresh/app", "--freshness", "sometimes").failedWithOneLine())
                .isEqualTo("cachalot: unknown freshness policy 'sometimes': use 'revalidate' or 'ttl:<duration>' such as ttl:10m");
    }

    @Test
    void rulesCommandsOnAnUnknownRuleFail() {
        assertThat(cli.run("rules", "show", "no-such-rule").failedWithOneLine()).isEqualTo("cachalot: no cache rule named 'no-such-rule'");
        assertThat(cli.run("rules", "delete", "no-such-rule").failedWithOneLine()).isEqualTo("cachalot: no cache rule named 'no-such-rule'");
        assertThat(cli.run("rules", "update", "no-such-rule", "--remove-credential-set").failedWithOneLine())
                .isEqualTo("cachalot: there is no cache rule named 'no-such-rule'");
    }

    @Test
    void rulesCreateRefusesAnInvalidRuleWithTheValidatorsReason() {
        assertThat(cli.run("rules", "create", "--name", "ab", "--source", upstream.hostPort() + "/short/app", "--target", "short/app")
                .failedWithOneLine()).isEqualTo("cachalot: rule name 'ab' must be 5 to 50 characters long (it has 2)");
        assertThat(cli.run("rules", "create", "--name", "tagged-rule", "--source", upstream.hostPort() + "/team/app", "--target", "team/app:1.0")
                .failedWithOneLine()).contains("tag");
    }

    @Test
    void rulesCreateWithSeveralProblemsNamesThemAllOnOneLine() {
        String line = cli.run("rules", "create", "--name", "ab", "--source", upstream.hostPort() + "/team/*", "--target", "team/*")
                .failedWithOneLine();

        assertThat(line).contains("rule name 'ab' must be 5 to 50 characters long", "target 'team/*' is already used by rule 'team-cache'");
    }

    @Test
    void rulesCreateRefusesADockerHubRuleWithoutACredentialSet() {
        assertThat(cli.run("rules", "create", "--name", "hub-nginx", "--source", "nginx", "--target", "hub/nginx").failedWithOneLine())
                .isEqualTo("cachalot: Docker Hub allows authenticated pulls only: choose a credential set");
        assertThat(cli.run("rules", "list", "--json").succeeded().json())
                .noneSatisfy(r -> assertThat(r.get("name").asText()).isEqualTo("hub-nginx"));
    }

    @Test
    void rulesCreateRefusesASourceOnAnUnknownUpstream() {
        assertThat(cli.run("rules", "create", "--name", "nowhere-app", "--source", "nowhere.example.test:5000/app", "--target", "nowhere/app")
                .failedWithOneLine()).isEqualTo("cachalot: no upstream is known for login server 'nowhere.example.test:5000' of source "
                + "'nowhere.example.test:5000/app': add it as a custom upstream first");
    }

    @Test
    void aMissingRequiredOptionIsAUsageErrorWithExitCode2() {
        Cli.Run run = cli.run("rules", "create", "--name", "half-rule");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("cachalot: Missing required options: '--source=SRC', '--target=TGT'"
                + " (see 'cachalot rules create --help')\n");
        assertThat(cli.run("rules", "list", "--json").succeeded().json())
                .noneSatisfy(r -> assertThat(r.get("name").asText()).isEqualTo("half-rule"));
    }

    @Test
    void anUnknownSubcommandIsAUsageErrorWithExitCode2() {
        Cli.Run run = cli.run("rules", "frobnicate");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err().lines().toList()).singleElement()
                .satisfies(line -> assertThat(line).startsWith("cachalot: ").contains("'frobnicate'", "see 'cachalot rules --help'"));
    }

    // ------------------------------------------------------------------ repositories and statistics

    @Test
    void reposListShowsTheCachedRepositoryWithItsRuleAndPullCount() {
        Cli.Run table = cli.run("repos", "list").succeeded();
        assertThat(table.header()).startsWith("REPOSITORY").contains("KIND", "RULE", "TAGS", "SIZE", "PULLS", "LAST PULL");
        assertThat(table.rows()).anySatisfy(row -> {
            assertThat(row.subList(0, 4)).containsExactly("team/app", "cached", "team-cache", "1");
            assertThat(row.get(5)).isEqualTo("1");
        });

        JsonNode repo = find(cli.run("repos", "list", "--json").succeeded().json(), "name", "team/app");
        assertThat(repo.get("cached").asBoolean()).isTrue();
        assertThat(repo.get("ruleName").asText()).isEqualTo("team-cache");
        assertThat(repo.get("tagCount").asInt()).isEqualTo(1);
        assertThat(repo.get("sizeBytes").asLong()).isPositive();
        assertThat(repo.get("pullCount").asLong()).isEqualTo(1);
        assertThat(Instant.parse(repo.get("lastPulled").asText())).isBefore(Instant.now().plusSeconds(1));
    }

    @Test
    void reposShowListsTheTagsWithTheirDigests() {
        Cli.Run text = cli.run("repos", "show", "team/app").succeeded();
        assertThat(text.out().lines().findFirst()).hasValue("Repository team/app (cached via rule team-cache)");
        assertThat(text.out()).contains("TAG", "DIGEST").containsPattern("(?m)^1\\.0 +" + image.digest() + " +" + Pattern.quote(TestImages.OCI_MANIFEST) + " +- +");

        JsonNode json = cli.run("repos", "show", "team/app", "--json").succeeded().json();
        assertThat(json.get("repository").get("name").asText()).isEqualTo("team/app");
        assertThat(json.get("tags")).hasSize(1);
        JsonNode tag = json.get("tags").get(0);
        assertThat(tag.get("tag").asText()).isEqualTo("1.0");
        assertThat(tag.get("digest").asText()).isEqualTo(image.digest());
        assertThat(tag.get("mediaType").asText()).isEqualTo(TestImages.OCI_MANIFEST);
        assertThat(tag.get("pullCount").asLong()).isEqualTo(1);
    }

    @Test
    void reposShowOfAnUnknownRepositoryFails() {
        assertThat(cli.run("repos", "show", "team/nothing").failedWithOneLine()).isEqualTo("cachalot: no repository named 'team/nothing' in the cache");
    }

    @Test
    void statsShowsPullsPerRepositoryAndTotals() {
        Cli.Run table = cli.run("stats").succeeded();
        assertThat(table.header()).startsWith("REPOSITORY").contains("PULLS", "HITS", "MISSES", "STALE", "SERVED", "UPSTREAM", "LAST PULL");
        assertThat(table.rows()).anySatisfy(row -> assertThat(row.subList(0, 5)).containsExactly("team/app", "1", "0", "1", "0"));
        assertThat(table.out().lines().reduce((a, b) -> b)).hasValueSatisfying(line -> assertThat(line).startsWith("1 pulls, hit ratio 0%"));

        JsonNode json = cli.run("stats", "--json").succeeded().json();
        assertThat(json.get("totals").get("pulls").asLong()).isEqualTo(1);
        assertThat(json.get("totals").get("misses").asLong()).isEqualTo(1);
        assertThat(json.get("totals").get("upstreamBytes").asLong()).isPositive();
        assertThat(json.get("hitRatio").asDouble()).isZero();
        JsonNode repo = find(json.get("repositories"), "repository", "team/app");
        assertThat(repo.get("pulls").asLong()).isEqualTo(1);
        assertThat(repo.get("stale").asLong()).isZero();
        assertThat(repo.get("bytesServed").asLong()).isPositive();
    }

    @Test
    void statsSinceLimitsTheWindowAndRefusesABadDuration() {
        assertThat(cli.run("stats", "--json", "--since", "1h").succeeded().json().get("totals").get("pulls").asLong()).isEqualTo(1);
        assertThat(cli.run("stats", "--since", "soon").failedWithOneLine())
                .isEqualTo("cachalot: invalid duration 'soon': use a number and s, m, h or d, such as 10m");
    }

    // ------------------------------------------------------------------ serve and the command line itself

    @Test
    void serveRefusesABadListenAddress() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            assertThat(cli.run("serve", "--listen", "localhost").failedWithOneLine())
                    .isEqualTo("cachalot: invalid listen address 'localhost': use host:port, such as 127.0.0.1:5000");
            assertThat(cli.run("serve", "--listen", "127.0.0.1:70000").failedWithOneLine())
                    .isEqualTo("cachalot: invalid port 70000: must be 0–65535");
        }, "serve did not refuse the address and kept running");
    }

    @Test
    void theDataOptionMayFollowTheSubcommand() {
        JsonNode json = Cli.runRaw("rules", "list", "--json", "--data", temp.resolve("data").toString()).succeeded().json();
        assertThat(json).anySatisfy(r -> assertThat(r.get("name").asText()).isEqualTo("team-cache"));
    }

    @Test
    void aDataFolderThatCannotBeOpenedFailsWithOneLine() throws Exception {
        Path notAFolder = java.nio.file.Files.writeString(temp.resolve("plain-file"), "not a folder");

        String line = Cli.runRaw("--data", notAFolder.toString(), "rules", "list").failedWithOneLine();

        assertThat(line).contains(notAFolder.toString());
    }

    @Test
    void noCommandPrintsTheUsageAndVersionPrintsTheVersion() {
        assertThat(cli.run().succeeded().out()).startsWith("Usage: cachalot").contains("serve", "upstream", "rules", "repos", "stats");
        assertThat(cli.run("--version").succeeded().out()).startsWith("cachalot ");
    }

    // ------------------------------------------------------------------ helpers

    private List<String> loginServers() {
        return StreamSupport.stream(cli.run("upstream", "list", "--json").succeeded().json().spliterator(), false)
                .map(u -> u.get("loginServer").asText()).toList();
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        assertThat(array.isArray()).as("JSON array: %s", array).isTrue();
        return StreamSupport.stream(array.spliterator(), false).filter(n -> value.equals(n.path(field).asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no element with " + field + "=" + value + " in " + array));
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
