package dev.cachalot.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.PrivateContainerd;
import dev.cachalot.testing.PrivateDaemons;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.RunsAlone;
import dev.cachalot.testing.Skopeo;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sign-in on a cluster ({@code scripts/cluster.sh up --auth required}: three engines, one token key file, HAProxy round
 * robin): real clients that sign in through the balancer push and pull whichever node each request reaches; a token
 * one node issued is good on the others; and a token revoked or a user removed through one node is refused by the
 * others on their very next request. Costs about a minute (four JVMs, PostgreSQL, containerd).
 */
@RunsAlone
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterSignInTest {
    private static final String ALICE_PASSWORD = "alice-Cluster-41";
    private static final String BOB_PASSWORD = "bob-Cluster-42";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path temp;

    private ScriptedCluster cluster;
    private DockerRegistryFixture source;
    private final TestImage image = new TestImages(191).ociImage();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    void clusterWithSignInAndTwoUsers() throws Exception {
        source = DockerRegistryFixture.start();
        new RegistryPusher(source.url()).push("src/app", "1", image);
        cluster = ScriptedCluster.up(temp.resolve("cluster"), temp, 3, "--auth", "required");
        // Through different nodes: each writes the shared database.
        cluster.cliWithInput(ALICE_PASSWORD, cluster.address("node-1"), "users", "add", "alice", "--role", "push",
                "--repositories", "team/*");
        cluster.cliWithInput(BOB_PASSWORD, cluster.address("node-2"), "users", "add", "bob", "--role", "pull");
    }

    @AfterAll
    void stop() throws Exception {
        if (cluster != null) cluster.down();
        if (source != null) source.close();
    }

    @Test
    void skopeoSignedInThroughTheBalancerPushesAndPullsWhicheverNodeEachRequestReaches() throws Exception {
        String balancer = cluster.balancer();
        Skopeo.Result pushed = skopeo("copy", "--src-tls-verify=false", "--src-no-creds", "docker://" + source.hostPort() + "/src/app:1",
                "--dest-tls-verify=false", "--dest-creds", "alice:" + ALICE_PASSWORD, "docker://" + balancer + "/team/app:1");
        assertThat(pushed.exitCode()).as("push as alice through the balancer: %s", pushed.stderr()).isZero();

        for (int i = 0; i < 3; i++) {
            Path copy = temp.resolve("pull-" + i);
            Files.createDirectories(copy);
            Skopeo.Result pulled = skopeo("copy", "--src-tls-verify=false", "--src-creds", "bob:" + BOB_PASSWORD,
                    "docker://" + balancer + "/team/app:1", "dir:" + copy);
            assertThat(pulled.exitCode()).as("pull %d as bob through the balancer: %s", i, pulled.stderr()).isZero();
            assertThat(Skopeo.read(copy).verified().manifestDigest()).isEqualTo(image.digest());
        }
        // Round robin spread the signed-in requests over every node; each token came from one of them.
        await("the access log lines").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (String node : cluster.nodeNames()) {
                assertThat(cluster.log(node)).as("%s served some of alice's and bob's requests", node)
                        .containsPattern(" (alice|bob) (GET|HEAD|PUT|PATCH|POST) /v2/team/app/\\S+ 20[0-9] ");
            }
        });
        Set<String> keyIds = new HashSet<>();
        for (String node : cluster.nodeNames()) {
            Matcher started = Pattern.compile("Tokens signed with key ([0-9a-f]{16}) from ")
                    .matcher(cluster.log(node));
            assertThat(started.find()).as("%s names its token key at start", node).isTrue();
            keyIds.add(started.group(1));
        }
        assertThat(keyIds).as("one key on every node").hasSize(1);
        for (String node : cluster.nodeNames()) {
            assertThat(cluster.log(node)).as("no password in %s's log", node).doesNotContain(ALICE_PASSWORD)
                    .doesNotContain(BOB_PASSWORD);
            assertThat(cluster.log(node)).as("no token key in %s's log", node)
                    .doesNotContain(Files.readString(cluster.state().resolve("token.key")).strip());
        }
    }

    @Test
    void containerdSignedInThroughTheBalancerPullsAndPushes() throws Exception {
        String balancer = cluster.balancer();
        ensurePushed("team/ctr-source:1");
        try (PrivateContainerd containerd = PrivateContainerd.start(temp.resolve("containerd"))) {
            PrivateDaemons.Result pull = containerd.ctr(Duration.ofMinutes(2), "images", "pull", "--plain-http", "--snapshotter",
                    "native", "--user", "bob:" + BOB_PASSWORD, balancer + "/team/ctr-source:1");
            assertThat(pull.exitCode()).as("ctr pull as bob: %s", pull.output()).isZero();
            PrivateDaemons.Result push = containerd.ctr(Duration.ofMinutes(2), "images", "push", "--plain-http",
                    "--user", "alice:" + ALICE_PASSWORD, balancer + "/team/from-ctr:1", balancer + "/team/ctr-source:1");
            assertThat(push.exitCode()).as("ctr push as alice: %s", push.output()).isZero();
        }
        assertThat(manifestStatus(cluster.address("node-3"), "team/from-ctr", "Basic " + basic("bob", BOB_PASSWORD)))
                .as("what containerd pushed is there for everyone").isEqualTo(200);
    }

    @Test
    void aTokenFromNodeOnesTokenEndpointIsGoodOnNodesTwoAndThree() throws Exception {
        ensurePushed("team/app:1");
        String token = token(cluster.address("node-1"), "bob", BOB_PASSWORD);
        for (String node : List.of("node-2", "node-3")) {
            assertThat(manifestStatus(cluster.address(node), "team/app", "Bearer " + token)).as(node).isEqualTo(200);
        }
    }

    @Test
    void anAccessTokenRevokedThroughNodeOneIsRefusedByNodeThreeOnTheNextRequest() throws Exception {
        ensurePushed("team/app:1");
        String secret = cluster.cli(cluster.address("node-1"), "tokens", "create", "--name", "ci-bob", "--user", "bob").strip();
        String node3 = cluster.address("node-3");
        String token = token(cluster.address("node-1"), "bob", secret);
        assertThat(manifestStatus(node3, "team/app", "Bearer " + token)).isEqualTo(200);
        assertThat(manifestStatus(node3, "team/app", "Basic " + basic("bob", secret))).isEqualTo(200);

        cluster.cli(cluster.address("node-1"), "tokens", "revoke", "ci-bob");
        assertThat(manifestStatus(node3, "team/app", "Bearer " + token)).as("the token obtained with it").isEqualTo(401);
        assertThat(manifestStatus(node3, "team/app", "Basic " + basic("bob", secret))).as("the secret itself").isEqualTo(401);
        Skopeo.Result inspect = skopeo("inspect", "--tls-verify=false", "--creds", "bob:" + secret, "docker://" + node3 + "/team/app:1");
        assertThat(inspect.exitCode()).as("skopeo with the revoked token on node 3").isNotZero();
        assertThat(manifestStatus(node3, "team/app", "Basic " + basic("bob", BOB_PASSWORD))).as("bob's password still works")
                .isEqualTo(200);
    }

    @Test
    void aUserRemovedThroughOneNodeIsRefusedByTheOthersAtOnce() throws Exception {
        ensurePushed("team/app:1");
        String password = "carol-Cluster-43";
        cluster.cliWithInput(password, cluster.address("node-2"), "users", "add", "carol", "--role", "pull");
        String token = token(cluster.address("node-2"), "carol", password);
        for (String node : List.of("node-1", "node-3")) {
            // Each node verifies the password once here, and remembers it verified.
            assertThat(manifestStatus(cluster.address(node), "team/app", "Basic " + basic("carol", password))).as(node).isEqualTo(200);
            assertThat(manifestStatus(cluster.address(node), "team/app", "Bearer " + token)).as(node).isEqualTo(200);
        }

        cluster.cli(cluster.address("node-2"), "users", "remove", "carol");
        for (String node : List.of("node-1", "node-3")) {
            assertThat(manifestStatus(cluster.address(node), "team/app", "Basic " + basic("carol", password)))
                    .as("carol's password on %s", node).isEqualTo(401);
            assertThat(manifestStatus(cluster.address(node), "team/app", "Bearer " + token))
                    .as("carol's token on %s", node).isEqualTo(401);
        }
    }

    /** Pushes the source image to {@code nameAndTag} through the balancer as alice, unless a test did already. */
    private void ensurePushed(String nameAndTag) throws Exception {
        String name = nameAndTag.substring(0, nameAndTag.indexOf(':'));
        String tag = nameAndTag.substring(nameAndTag.indexOf(':') + 1);
        if (manifestStatus(cluster.balancer(), name, "Basic " + basic("alice", ALICE_PASSWORD), tag) == 200) return;
        Skopeo.Result pushed = skopeo("copy", "--src-tls-verify=false", "--src-no-creds", "docker://" + source.hostPort() + "/src/app:1",
                "--dest-tls-verify=false", "--dest-creds", "alice:" + ALICE_PASSWORD, "docker://" + cluster.balancer() + "/" + nameAndTag);
        assertThat(pushed.exitCode()).as("push %s as alice: %s", nameAndTag, pushed.stderr()).isZero();
    }

    private String token(String hostPort, String user, String secret) throws Exception {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://" + hostPort
                        + "/cachalot/token?service=cachalot&scope=repository:team/app:pull"))
                .header("Authorization", "Basic " + basic(user, secret)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as("token for %s from %s: %s", user, hostPort, answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body()).get("token").asText();
    }

    private int manifestStatus(String hostPort, String repository, String authorization) throws Exception {
        return manifestStatus(hostPort, repository, authorization, "1");
    }

    private int manifestStatus(String hostPort, String repository, String authorization, String tag) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://" + hostPort + "/v2/" + repository + "/manifests/" + tag))
                        .header("Authorization", authorization)
                        .header("Accept", "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json")
                        .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static String basic(String user, String secret) {
        return Base64.getEncoder().encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    private static Skopeo.Result skopeo(String... args) {
        return new Skopeo().run(Duration.ofMinutes(3), List.of(args));
    }
}
