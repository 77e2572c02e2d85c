package dev.cachalot.app.clientsetup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.app.SharedRegistries;
import dev.cachalot.app.TestEngine;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.RegistryReader;
import dev.cachalot.testing.Skopeo;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    private static final String ACCEPT = "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, "
            + "application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json";

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
     * containerd's {@code ctr} is not installed on this machine (neither is containerd), so this plays its part: the
     * host and {@code ?ns=} it would use come from the generated hosts.toml and its folder name, and the engine is
     * asked what containerd asks first (the manifest, resolved by tag) and then a layer by digest.
     */
    @Test
    void theContainerdHostsTomlSendsMirrorRequestsThatTheEngineRoutesByTheRuleSource() {
        TestImage image = new TestImages(42).ociImage();
        upstream.pusher().push("snippet/library/busybox", "1.36", image);
        Map<String, String> files = ClientSnippets.forEngine(engine).containerdHostsToml();
        String path = ClientSnippets.CONTAINERD_CERTS_D + "/" + upstream.hostPort() + "/hosts.toml";
        assertThat(files).containsOnlyKeys(path);
        String toml = files.get(path);
        assertThat(toml).contains("server = \"" + upstream.url().replaceAll("/+$", "") + "\"");
        Matcher host = Pattern.compile("\\[host\\.\"(http://[^\"]+)\"\\]").matcher(toml);
        assertThat(host.find()).isTrue();

        RegistryReader mirror = new RegistryReader(host.group(1));
        String ns = "?ns=" + upstream.hostPort();
        RegistryReader.Fetched manifest = mirror.get("/v2/snippet/library/busybox/manifests/1.36" + ns, "Accept", ACCEPT);
        assertThat(manifest.status()).isEqualTo(200);
        assertThat(manifest.headers().firstValue("Docker-Content-Digest")).hasValue(image.digest());
        String layer = image.blobs().get(0).digest();
        assertThat(mirror.get("/v2/snippet/library/busybox/blobs/" + layer + ns).status()).isEqualTo(200);
        assertThat(engine.repositories()).anySatisfy(r -> assertThat(r.name()).isEqualTo("snip/busybox"));
    }
}
