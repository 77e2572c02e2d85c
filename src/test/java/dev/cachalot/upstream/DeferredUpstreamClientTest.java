package dev.cachalot.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The preparation after the server answers builds the TLS client (and reads the trust store) only for a cache that pulls over https. */
class DeferredUpstreamClientTest {

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void preparesTheTlsClientOnlyWhenSomeRulePullsOverHttps(boolean https) throws Exception {
        AtomicReference<OkHttpUpstreamClient> built = new AtomicReference<>();
        try (var deferred = new DeferredUpstreamClient(() -> {
            var client = new OkHttpUpstreamClient();
            built.set(client);
            return client;
        })) {
            deferred.prepare();
            deferred.serving(() -> https).get(60, TimeUnit.SECONDS);
            assertThat(built.get().builtTlsClient().isPresent()).isEqualTo(https);
            // a second start of the server changes nothing
            deferred.prepare();
            deferred.serving(() -> !https).get(60, TimeUnit.SECONDS);
            assertThat(built.get().builtTlsClient().isPresent()).isEqualTo(https);
        }
    }
}
