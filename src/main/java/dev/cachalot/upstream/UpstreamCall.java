package dev.cachalot.upstream;

import dev.cachalot.rules.Upstream;
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
    /** The client for this upstream's trust settings; token requests go through it too. */
    final OkHttpClient client;

    /** Credentials were actually sent (Basic to the endpoint, or to the token realm). */
    volatile boolean credentialsSent;
    /** A credential set was in play but the token realm was not allowed to see it. */
    volatile boolean realmRejected;

    UpstreamCall(Upstream upstream, HttpUrl endpoint, String repository, String credentialSet, OkHttpClient client) {
        this.client = client;
        this.upstream = upstream;
        this.endpoint = endpoint;
        this.repository = repository;
        this.credentialSet = credentialSet;
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
