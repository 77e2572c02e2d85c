package dev.cachalot.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachalot.rules.RuleValidationException;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.Ports;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link EngineApi#checkUpstream} and {@link EngineApi#updateUpstream} against Debian's docker-registry on loopback. */
class UpstreamCheckTest {
    private static DockerRegistryFixture open;
    private static DockerRegistryFixture withLogin;
    @TempDir
    Path data;
    private Engine engine;

    @BeforeAll
    static void startRegistries() {
        open = DockerRegistryFixture.start();
        withLogin = DockerRegistryFixture.builder().htpasswd("robot", "S3cret-for-check").start();
    }

    @AfterAll
    static void stopRegistries() {
        if (open != null) open.close();
        if (withLogin != null) withLogin.close();
    }

    @BeforeEach
    void openEngine() {
        engine = Engine.open(new DataFolder(data));
    }

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    @Test
    void anOpenRegistryIsReachableAnonymouslyAndTheResultIsKeptUnderItsHostAndPort() {
        UpstreamCheck check = engine.checkUpstream(open.url());

        assertThat(check.result()).isEqualTo(UpstreamCheck.Result.REACHABLE_ANONYMOUSLY);
        assertThat(check.healthy()).isTrue();
        assertThat(check.loginServer()).isEqualTo(open.hostPort());
        assertThat(engine.upstreamChecks()).containsEntry(open.hostPort(), check);
    }

    @Test
    void aRegistryThatChallengesForALoginNeedsALogin() {
        UpstreamCheck check = engine.checkUpstream(withLogin.url());

        assertThat(check.result()).isEqualTo(UpstreamCheck.Result.NEEDS_LOGIN);
        assertThat(check.summary()).isEqualTo("reachable, needs a login");
    }

    @Test
    void aClosedPortIsUnreachableWithTheReason() {
        UpstreamCheck check = engine.checkUpstream("http://127.0.0.1:" + Ports.free());

        assertThat(check.result()).isEqualTo(UpstreamCheck.Result.UNREACHABLE);
        assertThat(check.healthy()).isFalse();
        assertThat(check.detail()).isNotBlank();
    }

    @Test
    void anAddedCustomUpstreamIsCheckedByItsLoginServer() {
        engine.addUpstream(open.hostPort(), open.url(), null);

        assertThat(engine.checkUpstream(open.hostPort()).result()).isEqualTo(UpstreamCheck.Result.REACHABLE_ANONYMOUSLY);
    }

    @Test
    void anUnknownLoginServerIsRefusedWithAHint() {
        assertThatThrownBy(() -> engine.checkUpstream("registry.example.com"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("add it first");
    }

    @Test
    void updatingACustomUpstreamChangesItsEndpointAndKeepsItsLoginServer() {
        engine.addUpstream("registry.lan:8080", "http://127.0.0.1:" + Ports.free(), null);

        engine.updateUpstream("registry.lan:8080", open.url(), null);

        assertThat(engine.upstreams()).filteredOn(u -> u.loginServer().equals("registry.lan:8080"))
                .singleElement().satisfies(u -> assertThat(u.endpoint().toString()).startsWith(open.url()));
        assertThat(engine.checkUpstream("registry.lan:8080").result()).isEqualTo(UpstreamCheck.Result.REACHABLE_ANONYMOUSLY);
    }

    @Test
    void updatingABuiltInOrMissingUpstreamIsRefused() {
        assertThatThrownBy(() -> engine.updateUpstream("quay.io", "https://127.0.0.1:1", null))
                .isInstanceOf(RuleValidationException.class).hasMessageContaining("built-in");
        assertThatThrownBy(() -> engine.updateUpstream("registry.lan:9", "https://127.0.0.1:1", null))
                .isInstanceOf(RuleValidationException.class).hasMessageContaining("no custom upstream");
    }
}
