package dev.cachalot.upstream;

import java.io.IOException;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Adds the {@code Authorization} we already know to work (a cached token, or Basic for an upstream that asked for
 * it) to requests for the upstream's own origin, sparing a 401 round trip. Runs after the redirect interceptor,
 * so a hop to another origin (a blob CDN) never gets it.
 */
final class CachedAuthInterceptor implements Interceptor {

    private final UpstreamAuth auth;

    CachedAuthInterceptor(UpstreamAuth auth) {
        this.auth = auth;
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Request request = chain.request();
        UpstreamCall call = request.tag(UpstreamCall.class);
        if (call == null || !call.isEndpoint(request.url()) || request.header("Authorization") != null) {
            return chain.proceed(request);
        }
        var header = auth.preemptive(call);
        if (header.isEmpty()) {
            return chain.proceed(request);
        }
        return chain.proceed(request.newBuilder().header("Authorization", header.get()).build());
    }
}
