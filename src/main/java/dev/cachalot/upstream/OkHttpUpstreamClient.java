package dev.cachalot.upstream;

import dev.cachalot.BuildVersion;
import dev.cachalot.oci.Digest;
import dev.cachalot.oci.MediaTypes;
import dev.cachalot.oci.ReferrersTag;
import dev.cachalot.rules.AuthMode;
import dev.cachalot.rules.Upstream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import okhttp3.Call;
import okhttp3.ConnectionSpec;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.LoggerFactory;

/**
 * The upstream client on OkHttp. One connection pool and one dispatcher serve every upstream, through three kinds
 * of {@link OkHttpClient} that share them: a cleartext-only one for plain-HTTP upstreams, one with the platform's
 * trust for https (built when something first needs it), and one per upstream CA certificate. The concerns are
 * split the way go-containerregistry's transport does it, one OkHttp piece each:
 * <ul>
 *   <li>{@link RetryInterceptor} — backoff on 5xx/429/connect failures, {@code Retry-After}, bounded;</li>
 *   <li>{@link ScopedRedirectInterceptor} — follows redirects, drops {@code Authorization} across origins,
 *       refuses https→http;</li>
 *   <li>{@link CachedAuthInterceptor} — sends a cached token (or Basic) up front to the upstream's own origin;</li>
 *   <li>{@link UpstreamBreakers} — one circuit breaker per upstream: after a timeout or a {@code Retry-After},
 *       requests fail at once for a while instead of waiting on a sick upstream;</li>
 *   <li>{@link ChallengeAuthenticator} — answers a 401 challenge once, via {@link TokenIssuer} and
 *       {@link TokenCache}, with {@link RealmPolicy} deciding whether a token realm may see credentials.</li>
 * </ul>
 * This class builds the requests, checks what comes back (manifest digests and sizes) and maps failures to
 * {@link UpstreamException}s that name the upstream and the status, never a secret.
 *
 * <p>Usage:
 * <pre>{@code
 * var client = new OkHttpUpstreamClient(credentials);            // one per engine
 * var request = new UpstreamRequest(upstream, "library/nginx", "dockerhub-creds");
 * UpstreamManifest m = client.fetchManifest(request, "latest", MediaTypes.DEFAULT_ACCEPT);
 * try (UpstreamBlob blob = client.openBlob(request, layerDigest)) { blob.body().read(buffer); ... }
 * }</pre>
 */
public final class OkHttpUpstreamClient implements UpstreamClient, AutoCloseable {

    /** Manifests larger than this are refused (the OCI distribution spec suggests 4 MiB as the minimum to accept). */
    public static final long MAX_MANIFEST_BYTES = 4L << 20;
    static final long MAX_TAG_PAGE_BYTES = 16L << 20;
    static final int MAX_TAG_PAGES = 1_000;
    /**
     * The most tags one answer may gather, across pages: 100,000 tags of typical length hold about 10 MiB on the heap,
     * so a handful of concurrent listings stay far from the heap's size. Longer lists are paged through with {@code n}.
     */
    static final int MAX_TAGS = 100_000;

    private final UpstreamCredentials credentials;
    private final UpstreamHttpSettings settings;
    /**
     * OkHttp's own default: modern TLS for https, cleartext for http. The clients that speak TLS use it; the one
     * for plain-HTTP upstreams speaks only cleartext, so OkHttp builds no TLS for it (reading the platform's trust
     * store and making an SSL context cost ~0.1 s of a fresh process's first pull).
     */
    private static final List<ConnectionSpec> TLS_OR_CLEARTEXT = List.of(ConnectionSpec.MODERN_TLS, ConnectionSpec.CLEARTEXT);

    /** For plain-HTTP upstreams; the other clients derive from it and share its pool and dispatcher. */
    private final OkHttpClient cleartext;
    /** The platform's trust, or a test's stand-in for it (null: the platform's). */
    private final UpstreamTrust httpsTrust;
    /** For https upstreams without a CA certificate of their own; built on first use. */
    private volatile OkHttpClient tls;
    private final Map<String, OkHttpClient> byCaPem = new ConcurrentHashMap<>();
    private final UpstreamBreakers breakers;
    private final BlobWatchdog blobWatchdog;
    private final Clock clock;

    public OkHttpUpstreamClient() {
        this(UpstreamCredentials.NONE);
    }

    public OkHttpUpstreamClient(UpstreamCredentials credentials) {
        this(credentials, UpstreamHttpSettings.defaults());
    }

    public OkHttpUpstreamClient(UpstreamCredentials credentials, UpstreamHttpSettings settings) {
        this(credentials, settings, Clock.systemUTC());
    }

    /** A client that notes the upstreams' {@code ratelimit-remaining} headers in {@code rateLimits}. */
    public OkHttpUpstreamClient(UpstreamCredentials credentials, RateLimits rateLimits) {
        this(credentials, UpstreamHttpSettings.defaults(), Clock.systemUTC(), rateLimits);
    }

    OkHttpUpstreamClient(UpstreamCredentials credentials, UpstreamHttpSettings settings, Clock clock) {
        this(credentials, settings, clock, new RateLimits(clock));
    }

    OkHttpUpstreamClient(UpstreamCredentials credentials, UpstreamHttpSettings settings, Clock clock, RateLimits rateLimits) {
        this(credentials, settings, clock, rateLimits, null);
    }

    /** @param httpsTrust what https URLs without an upstream CA of their own are checked against; null: the platform's */
    OkHttpUpstreamClient(UpstreamCredentials credentials, UpstreamHttpSettings settings, Clock clock, RateLimits rateLimits,
            UpstreamTrust httpsTrust) {
        this.credentials = credentials;
        this.httpsTrust = httpsTrust;
        this.settings = settings;
        this.clock = clock;
        this.breakers = new UpstreamBreakers(settings.breakerPause(), settings.maxWaitingPerUpstream(), System::nanoTime);
        this.blobWatchdog = new BlobWatchdog(settings.blobPace(), System::nanoTime);
        TokenCache tokens = new TokenCache(clock);
        UpstreamAuth auth = new UpstreamAuth(tokens,
                new TokenIssuer(tokens, new RealmPolicy(), credentials, settings.manifestCallTimeout()), credentials);
        this.cleartext = new OkHttpClient.Builder()
                .connectionSpecs(List.of(ConnectionSpec.CLEARTEXT))
                .connectTimeout(settings.connectTimeout())
                .readTimeout(settings.readTimeout())
                .writeTimeout(settings.readTimeout())
                .followRedirects(false) // ScopedRedirectInterceptor decides
                .followSslRedirects(false)
                .addInterceptor(chain -> chain.proceed(chain.request().newBuilder()
                        .header("User-Agent", BuildVersion.userAgent()).build()))
                .addInterceptor(new RetryInterceptor(settings.retryPolicy(), clock))
                .addInterceptor(new ScopedRedirectInterceptor())
                .addInterceptor(new CachedAuthInterceptor(auth))
                .authenticator(new ChallengeAuthenticator(auth))
                .socketFactory(ChannelSocket.FACTORY)
                .addNetworkInterceptor(chain -> {
                    OkHttpBlob.BlobSocket holder = chain.request().tag(OkHttpBlob.BlobSocket.class);
                    if (holder != null && chain.connection() != null) holder.socket = chain.connection().socket();
                    return chain.proceed(chain.request());
                })
                .addNetworkInterceptor(chain -> {
                    // Every answer, retried ones and redirects too: the allowance the upstream announces, for syncs to heed.
                    Response response = chain.proceed(chain.request());
                    okhttp3.HttpUrl url = chain.request().url();
                    rateLimits.observe(url.scheme(), url.host(), url.port(), response.header("ratelimit-remaining"));
                    return response;
                })
                .build();
    }

    @Override
    public UpstreamManifest fetchManifest(UpstreamRequest request, String reference, List<String> accept) {
        UpstreamCall call = newCall(request);
        String what = "GET manifest " + display(request.repository(), reference);
        Request http = manifestRequest(call, reference, accept).get().build();
        try (Response response = execute(call, http, what, settings.manifestCallTimeout())) {
            byte[] body = ManifestBodies.readBounded(response, MAX_MANIFEST_BYTES, call.name() + ": " + what);
            Digest digest = ManifestBodies.verify(body, response.header("Docker-Content-Digest"), reference,
                    call.name() + ": " + what);
            String contentType = response.header("Content-Type");
            String mediaType = ManifestShape.check(body, contentType == null ? null : ManifestBodies.stripParameters(contentType),
                    call.name() + ": " + what);
            return new UpstreamManifest(body, mediaType, digest);
        } catch (IOException e) {
            throw failure(call, what, e);
        }
    }

    @Override
    public UpstreamManifest.Head headManifest(UpstreamRequest request, String reference, List<String> accept) {
        UpstreamCall call = newCall(request);
        String what = "HEAD manifest " + display(request.repository(), reference);
        Request http = manifestRequest(call, reference, accept).head().build();
        String digestHeader;
        String contentType;
        long size;
        try (Response response = execute(call, http, what, settings.revalidationTimeout())) {
            digestHeader = response.header("Docker-Content-Digest");
            contentType = response.header("Content-Type");
            size = parseLength(response.header("Content-Length"));
        }
        if (digestHeader == null || contentType == null || size < 0) {
            // Some upstreams leave these out on HEAD: ask for the body and compute them ourselves.
            UpstreamManifest m = fetchManifest(request, reference, accept);
            return new UpstreamManifest.Head(m.digest(), m.mediaType(), m.body().length);
        }
        Digest digest = ManifestBodies.headDigest(digestHeader, reference, call.name() + ": " + what);
        if (size > MAX_MANIFEST_BYTES) {
            throw new UpstreamException(UpstreamException.Kind.PROTOCOL, 200,
                    call.name() + ": " + what + ": manifest of " + size + " bytes exceeds the limit", null, null);
        }
        return new UpstreamManifest.Head(digest, ManifestBodies.stripParameters(contentType), size);
    }

    @Override
    public UpstreamBlob openBlob(UpstreamRequest request, Digest digest) {
        UpstreamCall call = newCall(request);
        String what = "GET blob " + request.repository() + "@" + digest;
        HttpUrl url = v2(call).addPathSegment("blobs").addPathSegment(digest.toString()).build();
        Request http = new Request.Builder().url(url).get().tag(UpstreamCall.class, call)
                .tag(OkHttpBlob.BlobSocket.class, new OkHttpBlob.BlobSocket()).build();
        BlobWatchdog.Watch watch = blobWatchdog.watch(call.name() + ": " + what);
        Response response = execute(call, http, what, null, watch);
        return new OkHttpBlob(response, watch);
    }

    /** A HEAD, so that answering a client's HEAD of a cold blob never downloads it. */
    @Override
    public long headBlob(UpstreamRequest request, Digest digest) {
        UpstreamCall call = newCall(request);
        String what = "HEAD blob " + request.repository() + "@" + digest;
        HttpUrl url = v2(call).addPathSegment("blobs").addPathSegment(digest.toString()).build();
        Request http = new Request.Builder().url(url).head().tag(UpstreamCall.class, call).build();
        try (Response response = execute(call, http, what, settings.manifestCallTimeout())) {
            String named = response.header("Docker-Content-Digest");
            if (named != null && !named.trim().equals(digest.toString())) {
                throw new UpstreamException(UpstreamException.Kind.PROTOCOL, response.code(),
                        call.name() + ": " + what + ": the upstream named another digest", null, null);
            }
            return parseLength(response.header("Content-Length"));
        }
    }

    /**
     * The rest of a blob from {@code offset}: the same GET with {@code Range: bytes=offset-}. The range header rides
     * along on every redirect hop (a CDN serves ranges too); only {@code Authorization} is dropped across origins.
     */
    @Override
    public UpstreamBlob openBlob(UpstreamRequest request, Digest digest, long offset) {
        if (offset < 0) throw new IllegalArgumentException("offset must not be negative");
        if (offset == 0) return openBlob(request, digest);
        UpstreamCall call = newCall(request);
        String what = "GET blob " + request.repository() + "@" + digest + " from byte " + offset;
        HttpUrl url = v2(call).addPathSegment("blobs").addPathSegment(digest.toString()).build();
        Request http = new Request.Builder().url(url).get().header("Range", "bytes=" + offset + "-")
                .tag(UpstreamCall.class, call).tag(OkHttpBlob.BlobSocket.class, new OkHttpBlob.BlobSocket()).build();
        BlobWatchdog.Watch watch = blobWatchdog.watch(call.name() + ": " + what);
        Response response = execute(call, http, what, null, watch);
        ContentRange range = ContentRange.parse(response.header("Content-Range"));
        long length = response.body().contentLength();
        if (response.code() != 206 || range == null || !range.isRestFrom(offset) || (length >= 0 && length != range.length())) {
            String answer = response.code() + (range == null ? " without a usable Content-Range" : " with Content-Range " + range.first() + "-" + range.last());
            response.close();
            watch.close();
            throw new UpstreamException(UpstreamException.Kind.PROTOCOL, response.code(),
                    call.name() + ": " + what + ": cannot resume, the upstream answered " + answer, null, null);
        }
        return new OkHttpBlob(response, watch);
    }

    @Override
    public java.util.Optional<byte[]> referrers(UpstreamRequest request, Digest subject) {
        UpstreamCall call = newCall(request);
        String what = "GET referrers of " + display(request.repository(), subject.toString());
        HttpUrl url = v2(call).addPathSegment("referrers").addPathSegment(subject.toString()).build();
        Request http = new Request.Builder().url(url).get().header("Accept", MediaTypes.OCI_INDEX).tag(UpstreamCall.class, call).build();
        try (Response response = execute(call, http, what, settings.manifestCallTimeout())) {
            return java.util.Optional.of(ManifestBodies.readBounded(response, MAX_MANIFEST_BYTES, call.name() + ": " + what));
        } catch (UpstreamException e) {
            if (e.kind() != UpstreamException.Kind.NOT_FOUND) throw e;
        } catch (IOException e) {
            throw failure(call, what, e);
        }
        // No referrers API (a 404 for the path): the referrers tag schema that OCI 1.1 gives such registries.
        try {
            return java.util.Optional.of(fetchManifest(request, ReferrersTag.of(subject), List.of(MediaTypes.OCI_INDEX)).body());
        } catch (UpstreamException e) {
            if (e.kind() == UpstreamException.Kind.NOT_FOUND) return java.util.Optional.empty();
            throw e;
        }
    }

    @Override
    public List<String> tags(UpstreamRequest request) {
        UpstreamCall call = newCall(request);
        String what = "GET tags " + request.repository();
        HttpUrl first = v2(call).addPathSegment("tags").addPathSegment("list").build();
        return new TagPages(call, what, MAX_TAG_PAGES, MAX_TAG_PAGE_BYTES, MAX_TAGS)
                .collect(first, url -> execute(call, new Request.Builder().url(url).get()
                        .header("Accept", "application/json").tag(UpstreamCall.class, call).build(), what,
                        settings.manifestCallTimeout()),
                        e -> failure(call, what, e));
    }

    @Override
    public UpstreamTags tags(UpstreamRequest request, int n, String last) {
        if (n < 0) throw new IllegalArgumentException("n must not be negative");
        UpstreamCall call = newCall(request);
        String what = "GET tags " + request.repository() + " (n=" + n + (last == null ? "" : ", last=" + last) + ")";
        HttpUrl.Builder url = v2(call).addPathSegment("tags").addPathSegment("list")
                .addQueryParameter("n", Integer.toString(n));
        if (last != null) url.addQueryParameter("last", last);
        return new TagPages(call, what, 1, MAX_TAG_PAGE_BYTES, MAX_TAGS).page(url.build(), n, last,
                u -> execute(call, new Request.Builder().url(u).get().header("Accept", "application/json")
                        .tag(UpstreamCall.class, call).build(), what, settings.manifestCallTimeout()),
                e -> failure(call, what, e));
    }

    /**
     * {@code GET /v2/} as the credential set: the upstream's challenge is answered like any other (Basic, or a token
     * asked for the service only, with no scope), so a refused login shows as {@code UNAUTHORIZED}.
     */
    @Override
    public void checkLogin(Upstream upstream, String credentialSet) {
        UpstreamCall call = newCall(new UpstreamRequest(upstream, null, credentialSet));
        HttpUrl url = call.endpoint.newBuilder().addPathSegment("v2").addPathSegment("").build();
        Request http = new Request.Builder().url(url).get().tag(UpstreamCall.class, call).build();
        execute(call, http, "GET /v2/", settings.manifestCallTimeout()).close();
    }

    /**
     * Runs one small blob download through the whole client stack (interceptors, connection, HTTP/1 codec, body
     * source) against a throwaway socket on 127.0.0.1 that this method answers itself. On a fresh JVM the first
     * upstream request otherwise pays for loading and initialising OkHttp's, okio's and Kotlin's classes: measured
     * at ~0.4 s of a cold pull's time to first byte here. Failures are logged and ignored: this only saves time.
     *
     * @return whether the warm-up download went through
     */
    public boolean warmUp() {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listener.setSoTimeout(10_000);
            Thread responder = new Thread(() -> answerOnce(listener), "upstream-client-warm-up-responder");
            responder.setDaemon(true);
            responder.start();
            String hostPort = "127.0.0.1:" + listener.getLocalPort();
            Upstream local = new Upstream("warm-up", hostPort, URI.create("http://" + hostPort), AuthMode.BOTH, null, false);
            try (UpstreamBlob blob = openBlob(new UpstreamRequest(local, "warm-up", null), Digest.sha256(new byte[32]))) {
                ByteBuffer sink = ByteBuffer.allocate(64);
                long read = 0;
                for (int n; (n = blob.body().read(sink.clear())) >= 0; ) {
                    read += n;
                }
                responder.join(10_000);
                return read == 4;
            }
        } catch (IOException | RuntimeException e) {
            LoggerFactory.getLogger(OkHttpUpstreamClient.class).debug("upstream client warm-up failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    private static void answerOnce(ServerSocket listener) {
        try (Socket socket = listener.accept()) {
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            int matched = 0;
            byte[] end = {'\r', '\n', '\r', '\n'};
            while (matched < end.length) {
                int b = in.read();
                if (b < 0) return;
                matched = b == end[matched] ? matched + 1 : (b == end[0] ? 1 : 0);
            }
            OutputStream out = socket.getOutputStream();
            out.write("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 4\r\nConnection: close\r\n\r\nwarm"
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        } catch (IOException e) {
            // the client side logs
        }
    }

    /** Closes idle connections and stops the dispatcher's threads. Open blobs should be closed first. */
    @Override
    public void close() {
        blobWatchdog.close();
        cleartext.dispatcher().executorService().shutdown();
        cleartext.connectionPool().evictAll();
    }

    // --- plumbing ---

    private UpstreamCall newCall(UpstreamRequest request) {
        Upstream upstream = request.upstream();
        HttpUrl endpoint = HttpUrl.get(upstream.endpoint());
        return new UpstreamCall(upstream, endpoint, request.repository(), request.credentialSet(),
                clientFor(upstream, endpoint), this::tlsClient);
    }

    private OkHttpClient clientFor(Upstream upstream, HttpUrl endpoint) {
        String pem = upstream.caCertPem();
        if (pem == null || pem.isBlank()) {
            return endpoint.isHttps() ? tlsClient() : cleartext;
        }
        return byCaPem.computeIfAbsent(pem, p -> {
            UpstreamTrust trust = UpstreamTrust.withExtraCaPem(p);
            return cleartext.newBuilder().connectionSpecs(TLS_OR_CLEARTEXT)
                    .sslSocketFactory(trust.socketFactory(), trust.trustManager()).build();
        });
    }

    /** Builds the client for https upstreams now rather than at the first https call (reads the trust store). */
    public void prepareTls() {
        tlsClient();
    }

    private OkHttpClient tlsClient() {
        OkHttpClient client = tls;
        if (client == null) {
            synchronized (this) {
                client = tls;
                if (client == null) {
                    OkHttpClient.Builder builder = cleartext.newBuilder().connectionSpecs(TLS_OR_CLEARTEXT);
                    if (httpsTrust != null) {
                        builder.sslSocketFactory(httpsTrust.socketFactory(), httpsTrust.trustManager());
                    }
                    tls = client = builder.build();
                }
            }
        }
        return client;
    }

    private static HttpUrl.Builder v2(UpstreamCall call) {
        return call.endpoint.newBuilder().addPathSegment("v2").addPathSegments(call.repository);
    }

    private static Request.Builder manifestRequest(UpstreamCall call, String reference, List<String> accept) {
        if (accept == null || accept.isEmpty()) {
            throw new IllegalArgumentException("Accept must not be empty");
        }
        HttpUrl url = v2(call).addPathSegment("manifests").addPathSegment(reference).build();
        return new Request.Builder().url(url).header("Accept", String.join(", ", accept)).tag(UpstreamCall.class, call);
    }

    /**
     * Runs the request and returns the response when it is a 2xx (the caller closes it); otherwise closes it and
     * throws the mapped {@link UpstreamException}. Reports the credential set's health and rate limits on the way,
     * and the outcome to the upstream's breaker, which may refuse the request before it is sent.
     *
     * @param deadline the whole-call limit (retries and the token flow included), or null for none (blob bodies)
     */
    private Response execute(UpstreamCall call, Request request, String what, Duration deadline) {
        return execute(call, request, what, deadline, null);
    }

    /**
     * @param watch the blob watchdog's watch, which may cancel the call while its headers are late (and later while
     *              its body is too slow), or null; on failure it is closed here, on success the blob closes it
     */
    private Response execute(UpstreamCall call, Request request, String what, Duration deadline, BlobWatchdog.Watch watch) {
        UpstreamBreakers.Ticket ticket;
        try {
            ticket = breakers.admit(Origins.of(call.endpoint), call.name() + ": " + what);
        } catch (RuntimeException e) {
            if (watch != null) watch.close();
            throw e;
        }
        Call http = null;
        Response response;
        try {
            long started = System.nanoTime();
            for (Request next = request; ; ) {
                http = call.clientFor(next.url()).newCall(next);
                if (deadline != null) {
                    long left = deadline.toNanos() - (System.nanoTime() - started);
                    if (left <= 0) throw new InterruptedIOException("timeout");
                    http.timeout().timeout(left, TimeUnit.NANOSECONDS);
                }
                if (watch != null) watch.attach(http);
                try {
                    response = http.execute();
                    break;
                } catch (TlsHopNeeded hop) {
                    next = hop.next; // a plain-HTTP upstream redirected to https: the same call, on the TLS client
                }
            }
            if (watch != null) watch.answered();
        } catch (IOException e) {
            if (e instanceof InterruptedIOException || http.isCanceled()) {
                ticket.timedOut();
            } else {
                ticket.failedFast();
            }
            if (watch != null) {
                watch.close();
                if (watch.verdict() != null) {
                    UpstreamException slow = new UpstreamException(UpstreamException.Kind.UNAVAILABLE, 0, watch.verdict(), null, e);
                    reportFailure(call, slow);
                    throw slow;
                }
            }
            throw failure(call, what, e);
        } catch (RuntimeException | Error e) {
            ticket.failedFast();
            if (watch != null) watch.close();
            throw e;
        }
        reportToBreaker(ticket, response);
        reportRateLimit(call, response);
        int code = response.code();
        if (code >= 200 && code < 300) {
            if (call.credentialSet != null && call.credentialsSent && !call.realmRejected) {
                credentials.reportHealth(call.credentialSet, true, null, null);
            }
            return response;
        }
        UpstreamException e = StatusMapping.toException(call.name(), what, response);
        response.close();
        if (watch != null) watch.close();
        reportFailure(call, e);
        throw e;
    }

    private void reportToBreaker(UpstreamBreakers.Ticket ticket, Response response) {
        int code = response.code();
        Optional<Duration> wait = code == 429 || code == 503
                ? RetryAfter.parse(response.header("Retry-After"), clock.instant())
                : Optional.empty();
        if (wait.isPresent()) {
            ticket.askedToWait(wait.get());
        } else {
            ticket.answered();
        }
    }

    private UpstreamException failure(UpstreamCall call, String what, IOException e) {
        UpstreamException mapped;
        if (e instanceof UpstreamFailure f) {
            mapped = f.toUpstreamException();
        } else {
            mapped = new UpstreamException(UpstreamException.Kind.UNAVAILABLE, 0,
                    call.name() + ": " + what + ": " + describe(e), null, e);
        }
        reportFailure(call, mapped);
        return mapped;
    }

    private void reportFailure(UpstreamCall call, UpstreamException e) {
        if (call.credentialSet == null) return;
        switch (e.kind()) {
            case UNAUTHORIZED -> {
                if (!call.realmRejected) {
                    credentials.reportHealth(call.credentialSet, false, "UpstreamUnauthorized", e.getMessage());
                }
            }
            case UNAVAILABLE -> credentials.reportHealth(call.credentialSet, false, "UpstreamUnreachable", e.getMessage());
            default -> {
                // NOT_FOUND, DENIED, RATE_LIMITED, PROTOCOL say nothing about whether the login works.
            }
        }
    }

    private void reportRateLimit(UpstreamCall call, Response response) {
        String limit = response.header("ratelimit-limit");
        String remaining = response.header("ratelimit-remaining");
        if (call.credentialSet != null && (limit != null || remaining != null)) {
            credentials.reportRateLimit(call.credentialSet, limit, remaining);
        }
    }

    private static String describe(IOException e) {
        if (e instanceof UnknownHostException) return "unknown host";
        if (e instanceof ConnectException) return "connection refused";
        if (e instanceof InterruptedIOException) return "timed out";
        if (e instanceof SSLException) return "TLS failure (" + e.getClass().getSimpleName() + ")";
        return "I/O error (" + e.getClass().getSimpleName() + ")";
    }

    private static String display(String repository, String reference) {
        return repository + (reference.indexOf(':') > 0 ? "@" : ":") + reference;
    }

    private static long parseLength(String value) {
        if (value == null) return -1;
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Exposed for tests: the derived client for a CA PEM shares the pool and dispatcher of the cleartext one. */
    Optional<OkHttpClient> derivedClient(String pem) {
        return Optional.ofNullable(byCaPem.get(pem));
    }

    /** Exposed for tests: the TLS client, if anything needed it yet. */
    Optional<OkHttpClient> builtTlsClient() {
        return Optional.ofNullable(tls);
    }

    OkHttpClient sharedClient() {
        return cleartext;
    }
}
