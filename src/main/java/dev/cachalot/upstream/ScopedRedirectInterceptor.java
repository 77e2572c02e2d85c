package dev.cachalot.upstream;

import java.io.IOException;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Follows an upstream's redirects (blob downloads go to a CDN) itself instead of leaving it to OkHttp, so the
 * rules are ours and visible: {@code Authorization} never leaves the origin (scheme, host, port) it was
 * meant for, an https→http redirect is refused, and the number of hops is bounded. The cached-auth interceptor
 * sits after this one and adds credentials back only for hops to the upstream's own origin.
 *
 * <p>A plain-HTTP upstream's client speaks only cleartext. When such an upstream redirects to https, the hop needs
 * another client ({@link UpstreamCall#clientFor}) and is handed back as {@link TlsHopNeeded}, so the client runs it
 * on its TLS client; the hops taken so far ride along
 * as a tag, so the bound holds across the switch.
 *
 * <p>Only calls of the upstream client (tagged with {@link UpstreamCall}) are followed; anything else, such as
 * a token request, gets its 3xx back unchanged.
 */
final class ScopedRedirectInterceptor implements Interceptor {

    static final int MAX_HOPS = 5;

    /** The hops a request's call took before it was handed to the TLS client. */
    record HopsTaken(int count) {}

    @Override
    public Response intercept(Chain chain) throws IOException {
        Request request = chain.request();
        UpstreamCall call = request.tag(UpstreamCall.class);
        Response response = chain.proceed(request);
        if (call == null) {
            return response;
        }
        HopsTaken before = request.tag(HopsTaken.class);
        for (int hops = before == null ? 0 : before.count(); isRedirect(response.code()); hops++) {
            String location = response.header("Location");
            if (location == null) {
                return response;
            }
            HttpUrl from = response.request().url();
            response.close();
            if (hops >= MAX_HOPS) {
                throw new UpstreamFailure(UpstreamException.Kind.PROTOCOL, response.code(),
                        call.name() + ": more than " + MAX_HOPS + " redirects");
            }
            Request next = next(response.request(), from, location, call);
            // This chain runs on the client chosen for its first request; a hop that needs another goes back to the caller.
            if (call.clientFor(next.url()) != call.clientFor(request.url())) {
                throw new TlsHopNeeded(next.newBuilder().tag(HopsTaken.class, new HopsTaken(hops + 1)).build());
            }
            response = chain.proceed(next);
        }
        return response;
    }

    /** The request for the next hop; throws when the redirect is refused. */
    static Request next(Request previous, HttpUrl from, String location, UpstreamCall call) throws UpstreamFailure {
        HttpUrl to = from.resolve(location);
        if (to == null) {
            throw new UpstreamFailure(UpstreamException.Kind.PROTOCOL, 0,
                    call.name() + ": redirect to an unusable location");
        }
        if (from.isHttps() && !to.isHttps()) {
            throw new UpstreamFailure(UpstreamException.Kind.PROTOCOL, 0,
                    call.name() + ": refused redirect from https to http (" + to.host() + ")");
        }
        Request.Builder builder = previous.newBuilder().url(to);
        if (!Origins.same(from, to)) {
            builder.removeHeader("Authorization");
        }
        return builder.build();
    }

    static boolean isRedirect(int code) {
        return code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
    }
}
