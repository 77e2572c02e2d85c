package dev.cachalot.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cachalot.oci.Json;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;
import okio.BufferedSource;

/**
 * Gets bearer tokens from the realm an upstream's {@code Bearer} challenge names ({@code GET realm?service=&scope=}),
 * sending the credential set's login only when the {@link RealmPolicy} allows that realm; a refused realm is asked
 * anonymously and the refusal is reported as the set's health ({@code TokenRealmRejected}).
 */
final class TokenIssuer {

    static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(60);
    private static final long MAX_TOKEN_RESPONSE = 1 << 20;

    private final TokenCache cache;
    private final RealmPolicy realmPolicy;
    private final UpstreamCredentials credentials;
    private final Duration callTimeout;

    /** @param callTimeout the whole-call limit of a token request: its own call, outside the deadline of the call it serves */
    TokenIssuer(TokenCache cache, RealmPolicy realmPolicy, UpstreamCredentials credentials, Duration callTimeout) {
        this.cache = cache;
        this.callTimeout = callTimeout;
        this.realmPolicy = realmPolicy;
        this.credentials = credentials;
    }

    /** Fetches a token for the call, caches it under the call's key and returns it. */
    TokenCache.Token fetch(UpstreamCall call, WwwAuthenticateChallenge challenge) throws IOException {
        String realmText = challenge.param("realm").orElseThrow(() -> new UpstreamFailure(
                UpstreamException.Kind.PROTOCOL, 401, call.name() + ": Bearer challenge without a realm"));
        HttpUrl realm = HttpUrl.parse(realmText);
        if (realm == null) {
            throw new UpstreamFailure(UpstreamException.Kind.PROTOCOL, 401, call.name() + ": Bearer challenge with an unusable realm");
        }
        HttpUrl.Builder url = realm.newBuilder();
        challenge.param("service").ifPresent(s -> url.addQueryParameter("service", s));
        String scope = challenge.param("scope").orElse(call.pullScope());
        for (String s : scope.trim().split("\\s+")) {
            if (!s.isEmpty()) url.addQueryParameter("scope", s);
        }
        Request.Builder request = new Request.Builder().url(url.build()).get();
        boolean withCredentials = false;

        if (call.credentialSet != null) {
            String refusal = realmPolicy.refusal(realm, call.upstream);
            if (refusal != null) {
                call.realmRejected = true;
                credentials.reportHealth(call.credentialSet, false, "TokenRealmRejected", call.name() + ": " + refusal);
            } else {
                Optional<UpstreamCredentials.Login> login = UpstreamAuth.loginOf(credentials, call);
                if (login.isPresent()) {
                    request.header("Authorization", BasicCredentials.header(login.get()));
                    call.credentialsSent = true;
                    withCredentials = true;
                }
            }
        }

        Instant asked = cache.now();
        okhttp3.Call tokenCall = call.clientFor(realm).newCall(request.build());
        tokenCall.timeout().timeout(callTimeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        try (Response response = tokenCall.execute()) {
            int code = response.code();
            if (code == 401 || code == 403) {
                throw new UpstreamFailure(UpstreamException.Kind.UNAUTHORIZED, code,
                        call.name() + ": token realm " + realm.host() + " refused the request (HTTP " + code + ")");
            }
            if (code == 429) {
                throw new UpstreamFailure(UpstreamException.Kind.RATE_LIMITED, code,
                        call.name() + ": token realm " + realm.host() + " rate-limited the request (HTTP 429)");
            }
            if (code != 200) {
                throw new UpstreamFailure(UpstreamException.Kind.UNAVAILABLE, code,
                        call.name() + ": token realm " + realm.host() + " answered HTTP " + code);
            }
            BufferedSource source = response.body().source();
            if (source.request(MAX_TOKEN_RESPONSE + 1)) {
                throw new UpstreamFailure(UpstreamException.Kind.PROTOCOL, code, call.name() + ": token response too large");
            }
            return parseAndCache(call, source.readUtf8(), asked, withCredentials);
        }
    }

    private TokenCache.Token parseAndCache(UpstreamCall call, String body, Instant asked, boolean withCredentials) throws UpstreamFailure {
        JsonNode json;
        try {
            json = Json.mapper().readTree(body);
        } catch (IOException e) {
            throw new UpstreamFailure(UpstreamException.Kind.PROTOCOL, 200, call.name() + ": token response is not JSON");
        }
        String token = text(json, "token");
        if (token == null) token = text(json, "access_token");
        if (token == null || token.isBlank()) {
            throw new UpstreamFailure(UpstreamException.Kind.PROTOCOL, 200, call.name() + ": token response has no token");
        }
        Duration lifetime = DEFAULT_LIFETIME;
        JsonNode expires = json.get("expires_in");
        if (expires != null && expires.canConvertToLong() && expires.asLong() > 0) {
            lifetime = Duration.ofSeconds(expires.asLong());
        }
        return cache.put(call.tokenKey(), token, issuedAt(text(json, "issued_at"), asked), lifetime, withCredentials);
    }

    /**
     * The realm's {@code issued_at} when it is close to our clock (it tells how old the token already is); our
     * own time of asking when it is missing or the clocks disagree too much to trust it.
     */
    private static Instant issuedAt(String issuedAt, Instant asked) {
        if (issuedAt == null) return asked;
        try {
            Instant t = Instant.parse(issuedAt);
            return Duration.between(t, asked).abs().compareTo(Duration.ofMinutes(1)) <= 0 && t.isBefore(asked) ? t : asked;
        } catch (DateTimeParseException e) {
            return asked;
        }
    }

    private static String text(JsonNode json, String field) {
        JsonNode n = json.get(field);
        return n != null && n.isTextual() ? n.asText() : null;
    }
}
