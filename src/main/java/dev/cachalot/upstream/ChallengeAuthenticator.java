package dev.cachalot.upstream;

import java.io.IOException;
import java.util.Optional;
import okhttp3.Authenticator;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.Route;

/**
 * Answers an upstream's 401 {@code WWW-Authenticate} challenge (Bearer preferred, else Basic) once per request:
 * a second 401 stands and becomes {@link UpstreamException.Kind#UNAUTHORIZED}. Only 401s from the upstream's own
 * origin are answered; a CDN that says 401 after a redirect never sees credentials.
 */
final class ChallengeAuthenticator implements Authenticator {

    private final UpstreamAuth auth;

    ChallengeAuthenticator(UpstreamAuth auth) {
        this.auth = auth;
    }

    @Override
    public Request authenticate(Route route, Response response) throws IOException {
        Request failed = response.request();
        UpstreamCall call = failed.tag(UpstreamCall.class);
        if (response.code() != 401 || call == null || !call.isEndpoint(failed.url())) {
            return null;
        }
        for (Response prior = response.priorResponse(); prior != null; prior = prior.priorResponse()) {
            if (prior.code() == 401) {
                return null; // already answered once: the fresh credentials were refused too
            }
        }
        Optional<WwwAuthenticateChallenge> challenge = WwwAuthenticateChallenge.preferred(response.headers("WWW-Authenticate"));
        if (challenge.isEmpty()) {
            return null;
        }
        Optional<String> header = auth.answer(call, challenge.get(), failed.header("Authorization"));
        return header.map(h -> failed.newBuilder().header("Authorization", h).build()).orElse(null);
    }
}
