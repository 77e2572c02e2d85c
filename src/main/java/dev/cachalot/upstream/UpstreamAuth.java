package dev.cachalot.upstream;

import java.io.IOException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The auth state shared by all calls: cached bearer tokens, which upstream origins want {@code Basic}, and how to
 * answer a challenge. The OkHttp adapters ({@link CachedAuthInterceptor}, {@link ChallengeAuthenticator}) only
 * decide when to ask; the answers come from here.
 */
final class UpstreamAuth {

    private final TokenCache tokens;
    private final TokenIssuer issuer;
    private final UpstreamCredentials credentials;
    /** "origin|credential set" of upstreams that answered with a Basic challenge: send Basic up front next time. */
    private final Set<String> basicOrigins = ConcurrentHashMap.newKeySet();

    UpstreamAuth(TokenCache tokens, TokenIssuer issuer, UpstreamCredentials credentials) {
        this.tokens = tokens;
        this.issuer = issuer;
        this.credentials = credentials;
    }

    /** An {@code Authorization} value to send before any challenge, when we already know what works. */
    Optional<String> preemptive(UpstreamCall call) throws UpstreamFailure {
        Optional<TokenCache.Token> token = tokens.get(call.tokenKey());
        if (token.isPresent()) {
            if (token.get().withCredentials()) call.credentialsSent = true;
            return Optional.of("Bearer " + token.get().value());
        }
        if (call.credentialSet != null && basicOrigins.contains(basicKey(call))) {
            return basic(call);
        }
        return Optional.empty();
    }

    /**
     * Answers a 401 challenge from the upstream's endpoint, or empty to let the 401 stand.
     *
     * @param refused the {@code Authorization} value the upstream just refused, or null
     */
    Optional<String> answer(UpstreamCall call, WwwAuthenticateChallenge challenge, String refused) throws IOException {
        if (challenge.isBearer()) {
            if (refused != null && refused.startsWith("Bearer ")) {
                // We thought it valid (cached, or revoked mid-pull): forget it and get a fresh one, once.
                tokens.invalidate(call.tokenKey(), refused.substring("Bearer ".length()));
            }
            return Optional.of("Bearer " + issuer.fetch(call, challenge).value());
        }
        if (challenge.isBasic()) {
            if (call.credentialSet == null || (refused != null && refused.startsWith("Basic "))) {
                return Optional.empty(); // nothing to offer, or the same login was just refused
            }
            Optional<String> header = basic(call);
            header.ifPresent(h -> basicOrigins.add(basicKey(call)));
            return header;
        }
        return Optional.empty();
    }

    private Optional<String> basic(UpstreamCall call) throws UpstreamFailure {
        Optional<UpstreamCredentials.Login> login = loginOf(credentials, call);
        if (login.isEmpty()) {
            credentials.reportHealth(call.credentialSet, false, "SecretNotFound",
                    call.name() + ": the credential set has no username or password");
            return Optional.empty();
        }
        call.credentialsSent = true;
        return Optional.of(BasicCredentials.header(login.get()));
    }

    /** The call's login; a set whose secrets cannot be read ends the call with that cause, before any upstream sees it. */
    static Optional<UpstreamCredentials.Login> loginOf(UpstreamCredentials credentials, UpstreamCall call) throws UpstreamFailure {
        try {
            return credentials.login(call.credentialSet);
        } catch (UpstreamCredentials.Unreadable e) {
            throw new UpstreamFailure(UpstreamException.Kind.CREDENTIALS_UNREADABLE, 0, call.name() + ": " + e.getMessage());
        }
    }

    private static String basicKey(UpstreamCall call) {
        return Origins.of(call.endpoint) + "|" + call.credentialSet;
    }
}
