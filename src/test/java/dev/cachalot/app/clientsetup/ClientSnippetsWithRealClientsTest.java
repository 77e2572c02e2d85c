package dev.cachalot.app.clientsetup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.app.SharedRegistries;
import dev.cachalot.app.TestEngine;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.PrivateContainerd;
import dev.cachalot.testing.PrivateDaemons;
import dev.cachalot.testing.PrivateDockerd;
import dev.cachalot.testing.Skopeo;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Client setup snippets as their clients read them: the engine in front of Debian's docker-registry on loopback
 * (a custom upstream), a rule whose target differs from the upstream path, and the snippet text exactly as the page
 * shows it. The image must come through the engine: a client that fell back to the upstream itself would pass a
 * pull-only check, so each test also asks the engine for the repository it cached.
 */
class ClientSnippetsWithRealClientsTest {
    @TempDir
    Path temp;
    private DockerRegistryFixture upstream;
    private Engine engine;

    @BeforeEach
    void startEngineInFrontOfTheLoopbackRegistry() {
        upstream = SharedRegistries.open();
        engine = TestEngine.open(temp.resolve("data"));
        engine.startServer("127.0.0.1:0");
        engine.addUpstream(upstream.hostPort(), upstream.url(), null);
        // the reported case: the upstream path (snippet/library/...) is not the local name (snip/...)
        engine.createRule(new RuleDraft("snippet-all", upstream.hostPort() + "/snippet/library/*", "snip/*", null, null));
    }

    @AfterEach
    void stop() {
        if (engine != null) engine.close();
    }

    @Test
    void skopeoWithThePodmanRegistriesConfPullsTheUpstreamNameThroughTheRule() throws IOException {
        TestImage image = new TestImages(41).dockerImage();
        upstream.pusher().push("snippet/library/alpine", "3.19", image);
        Path conf = Files.writeString(temp.resolve("registries.conf"), ClientSnippets.forEngine(engine).podmanRegistriesConf());

        // as a user runs it: no TLS flag, the snippet's insecure = true has to be enough
        Skopeo.Result pull = new Skopeo().run(Duration.ofMinutes(2), List.of("--registries-conf", conf.toString(),
                "copy", "--src-no-creds", "docker://" + upstream.hostPort() + "/snippet/library/alpine:3.19",
                "dir:" + temp.resolve("pulled")));

        assertThat(pull.exitCode()).as(pull.stderr()).isZero();
        assertThat(Skopeo.read(temp.resolve("pulled")).manifestDigest()).isEqualTo(image.digest());
        assertThat(engine.repositories()).as("served through the engine's rule, not by the upstream directly")
                .anySatisfy(r -> assertThat(r.name()).isEqualTo("snip/alpine"));
    }

    /**
     * containerd's {@code ctr} with the generated hosts.toml in its {@code --hosts-dir}, under the folder name the snippet
     * gives it: containerd adds {@code ?ns=<upstream>} to the mirror's requests and the engine routes them by rule source.
     */
    @Test
    void ctrWithTheContainerdHostsTomlPullsTheUpstreamNameThroughTheRule() throws IOException {
        TestImage image = new TestImages(42).ociImage();
        upstream.pusher().push("snippet/library/busybox", "1.36", image);
        Map<String, String> files = ClientSnippets.forEngine(engine).containerdHostsToml();
        String path = ClientSnippets.CONTAINERD_CERTS_D + "/" + upstream.hostPort() + "/hosts.toml";
        assertThat(files).containsOnlyKeys(path);
        Path hostsDir = temp.resolve("certs.d");
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path file = hostsDir.resolve(f.getKey().substring(ClientSnippets.CONTAINERD_CERTS_D.length() + 1));
            Files.createDirectories(file.getParent());
            Files.writeString(file, f.getValue());
        }

        try (PrivateContainerd containerd = PrivateContainerd.start(temp.resolve("containerd"))) {
            PrivateDaemons.Result pull = containerd.ctr(Duration.ofMinutes(2), "images", "pull", "--snapshotter", "native",
                    "--hosts-dir", hostsDir.toString(), upstream.hostPort() + "/snippet/library/busybox:1.36");

            assertThat(pull.exitCode()).as(pull.output()).isZero();
            assertThat(containerd.ctr(Duration.ofSeconds(30), "images", "ls", "-q").output())
                    .contains(upstream.hostPort() + "/snippet/library/busybox:1.36");
        }
        assertThat(engine.repositories()).as("served through the engine's rule, not by the upstream directly")
                .anySatisfy(r -> assertThat(r.name()).isEqualTo("snip/busybox"));
    }

    /**
     * dockerd with the generated daemon.json: Docker Hub pulls go to the engine's registry-mirrors entry, which names
     * them by their Docker Hub path (library/alpine), and a rule whose target is library/* serves them (here from the
     * loopback registry, so nothing leaves the machine; dockerd's own fallback to Docker Hub is kept on loopback too).
     */
    @Test
    void dockerdWithTheDaemonJsonPullsDockerHubNamesThroughTheEngine() {
        TestImage image = new TestImages(43).dockerImage();
        upstream.pusher().push("snippet/hub/library/alpine", "3.20", image);
        engine.createRule(new RuleDraft("snippet-hub", upstream.hostPort() + "/snippet/hub/library/*", "library/*", null, null));
        String daemonJson = ClientSnippets.forEngine(engine).dockerDaemonJson();

        try (PrivateDockerd docker = PrivateDockerd.start(temp.resolve("dockerd"), daemonJson)) {
            PrivateDaemons.Result pull = docker.docker(Duration.ofMinutes(3), "pull", "alpine:3.20");

            assertThat(pull.exitCode()).as(pull.output() + "\n" + docker.log()).isZero();
            assertThat(pull.output()).contains("Digest: " + image.digest());
        }
        assertThat(engine.repositories()).as("served through the engine's rule, not by Docker Hub or the upstream directly")
                .anySatisfy(r -> assertThat(r.name()).isEqualTo("library/alpine"));
    }
}
