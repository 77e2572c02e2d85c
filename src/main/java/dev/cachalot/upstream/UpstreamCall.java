package dev.cachalot.upstream;

import dev.cachalot.rules.Upstream;
import java.util.function.Supplier;
import okhttp3.ConnectionSpec;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * What one client operation is about, attached to its OkHttp requests as a tag so the interceptors and the
 * authenticator know which upstream, repository and credential set they act for. Requests without this tag
 * (token requests) are left alone by them.
 *
 * <p>Mutable flags record what happened during the call; they are read once the call is over to report the
 * credential set's health. One instance belongs to one call on one thread at a time.
 */
final class UpstreamCall {

    final Upstream upstream;
    final HttpUrl endpoint;
    /** Null for a call about no repository (a login check on {@code /v2/}). */
    final String repository;
    /** Null for anonymous. */
    final String credentialSet;
    /** The client for this upstream's trust settings; requests to other URLs ask {@link #clientFor}. */
    final OkHttpClient client;
    /** Whether {@link #client} speaks TLS; a plain-HTTP upstream's client does not. */
    private final boolean clientSpeaksTls;
    /** The client for an https URL when {@link #client} does not speak TLS; built on first use. */
    private final Supplier<OkHttpClient> tlsClient;

    /** Credentials were actually sent (Basic to the endpoint, or to the token realm). */
    volatile boolean credentialsSent;
    /** A credential set was in play but the token realm was not allowed to see it. */
    volatile boolean realmRejected;

    UpstreamCall(Upstream upstream, HttpUrl endpoint, String repository, String credentialSet, OkHttpClient client) {
        this(upstream, endpoint, repository, credentialSet, client, () -> client);
    }

    UpstreamCall(Upstream upstream, HttpUrl endpoint, String repository, String credentialSet, OkHttpClient client,
            Supplier<OkHttpClient> tlsClient) {
        this.client = client;
        this.clientSpeaksTls = client != null && client.connectionSpecs().stream().anyMatch(ConnectionSpec::isTls);
        this.tlsClient = tlsClient;
        this.upstream = upstream;
        this.endpoint = endpoint;
        this.repository = repository;
        this.credentialSet = credentialSet;
    }

    /**
     * The client for a request to {@code url}: this upstream's, except for an https URL (a token realm, a redirect's
     * target) when the upstream's own client speaks only cleartext.
     */
    OkHttpClient clientFor(HttpUrl url) {
        return url.isHttps() && !clientSpeaksTls ? tlsClient.get() : client;
    }

    /** The token scope this call needs: pull access to its repository; none for a login check ({@code /v2/}). */
    String pullScope() {
        return repository == null ? "" : "repository:" + repository + ":pull";
    }

    TokenCache.Key tokenKey() {
        return new TokenCache.Key(Origins.of(endpoint), credentialSet, pullScope());
    }

    /** True when {@code url} is the upstream's own API origin (scheme, host and port all equal). */
    boolean isEndpoint(HttpUrl url) {
        return Origins.same(endpoint, url);
    }

    /** The login server, for messages. */
    String name() {
        return upstream.loginServer();
    }
}
