package dev.cachalot.upstream;

import static dev.cachalot.testing.LoopbackHttpServer.send;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.BuildVersion;
import dev.cachalot.rules.AuthMode;
import dev.cachalot.rules.Upstream;
import dev.cachalot.testing.LoopbackHttpServer;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Upstream operators see who pulls: every request, the token request included, names Cachalot and its version. */
class OkHttpUpstreamClientUserAgentTest {

    @Test
    void namesCachalotAndItsVersionOnRegistryAndTokenRequests() {
        List<String> registryAgents = new CopyOnWriteArrayList<>();
        List<String> issuerAgents = new CopyOnWriteArrayList<>();
        try (LoopbackHttpServer issuer = new LoopbackHttpServer().route("/token", ex -> {
                    issuerAgents.add(ex.getRequestHeaders().getFirst("User-Agent"));
                    send(ex, 200, "application/json", "{\"token\":\"anonymous\",\"expires_in\":300}");
                });
             LoopbackHttpServer registry = new LoopbackHttpServer()) {
            registry.route("/v2/", ex -> {
                registryAgents.add(ex.getRequestHeaders().getFirst("User-Agent"));
                if ("Bearer anonymous".equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                    send(ex, 200, "application/json", "{}");
                    return;
                }
                ex.getResponseHeaders().set("WWW-Authenticate",
                        "Bearer realm=\"" + issuer.base() + "/token\",service=\"fake-registry\"");
                send(ex, 401, "application/json", "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}");
            });
            Upstream upstream = new Upstream("fake", "127.0.0.1:" + registry.port(), URI.create(registry.base()),
                    AuthMode.BOTH, null, false);

            try (OkHttpUpstreamClient client = new OkHttpUpstreamClient()) {
                client.checkLogin(upstream, null);
            }
        }

        assertThat(BuildVersion.userAgent()).isEqualTo("cachalot/" + BuildVersion.current());
        assertThat(registryAgents).hasSize(2).containsOnly(BuildVersion.userAgent());
        assertThat(issuerAgents).hasSize(1).containsOnly(BuildVersion.userAgent());
    }
}
