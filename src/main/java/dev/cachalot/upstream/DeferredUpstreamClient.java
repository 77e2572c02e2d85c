package dev.cachalot.upstream;

import dev.cachalot.oci.Digest;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

/**
 * An upstream client built off the start-up path: loading OkHttp's classes and the platform's TLS trust store costs
 * hundreds of milliseconds the registry need not wait for. {@link #prepare()} starts the build in the background;
 * the first call that needs the client waits for the build only. Once the server answers, {@link #serving} lets that
 * thread warm the client up ({@link OkHttpUpstreamClient#warmUp()}) and, when some rule pulls over https, build its
 * TLS client: work the first pull would otherwise do, kept out of the start itself (decision 0037). A cache whose
 * upstreams all speak plain HTTP never loads a trust store.
 */
public final class DeferredUpstreamClient implements UpstreamClient, AutoCloseable {

    /** Off only to measure what the warm-up saves ({@code -Dcachalot.upstream.warmUp=false}). */
    private static final boolean WARM_UP = !"false".equals(System.getProperty("cachalot.upstream.warmUp"));

    private final Supplier<? extends UpstreamClient> factory;
    private volatile CompletableFuture<UpstreamClient> client;
    /** Completed by {@link #serving} (with whether https is wanted), or cancelled by {@link #close}. */
    private final CompletableFuture<BooleanSupplier> served = new CompletableFuture<>();
    /** Done when the background thread is: built, and warmed up once served. Done at once without one. */
    private volatile CompletableFuture<Void> prepared = CompletableFuture.completedFuture(null);

    public DeferredUpstreamClient(Supplier<? extends UpstreamClient> factory) {
        this.factory = factory;
    }

    /** Starts building the client on a background thread, if not yet started. */
    public synchronized void prepare() {
        if (client != null) return;
        CompletableFuture<UpstreamClient> target = new CompletableFuture<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        client = target;
        prepared = done;
        Thread t = new Thread(() -> {
            try {
                UpstreamClient built;
                try {
                    built = factory.get();
                    target.complete(built);
                } catch (RuntimeException | Error e) {
                    target.completeExceptionally(e);
                    return;
                }
                if (built instanceof OkHttpUpstreamClient okHttp) {
                    BooleanSupplier httpsWanted = served.join();
                    if (WARM_UP) okHttp.warmUp();
                    prepareTls(okHttp, httpsWanted);
                }
            } catch (java.util.concurrent.CancellationException e) {
                // closed before the server answered: nothing to warm
            } finally {
                done.complete(null);
            }
        }, "upstream-client-init");
        t.setDaemon(true);
        t.start();
    }

    /**
     * The server answers: the background thread may warm the client up now, and build the TLS client if
     * {@code httpsWanted} (asked on that thread) says some rule's upstream speaks https. Later calls change nothing.
     *
     * @return done when that work is over (at once when {@link #prepare()} started no thread)
     */
    public CompletableFuture<Void> serving(BooleanSupplier httpsWanted) {
        served.complete(httpsWanted);
        return prepared;
    }

    private static void prepareTls(OkHttpUpstreamClient client, BooleanSupplier httpsWanted) {
        try {
            if (httpsWanted.getAsBoolean()) client.prepareTls();
        } catch (RuntimeException e) {
            // only saves time; the first https call builds it otherwise and reports what fails
            LoggerFactory.getLogger(DeferredUpstreamClient.class).debug("upstream TLS client not prepared", e);
        }
    }

    private UpstreamClient get() {
        CompletableFuture<UpstreamClient> c = client;
        if (c == null) {
            synchronized (this) {
                if (client == null) client = CompletableFuture.completedFuture(factory.get());
                c = client;
            }
        }
        return c.join();
    }

    @Override
    public UpstreamManifest fetchManifest(UpstreamRequest request, String reference, List<String> accept) {
        return get().fetchManifest(request, reference, accept);
    }

    @Override
    public UpstreamManifest.Head headManifest(UpstreamRequest request, String reference, List<String> accept) {
        return get().headManifest(request, reference, accept);
    }

    @Override
    public UpstreamBlob openBlob(UpstreamRequest request, Digest digest) {
        return get().openBlob(request, digest);
    }

    @Override
    public long headBlob(UpstreamRequest request, Digest digest) {
        return get().headBlob(request, digest);
    }

    @Override
    public java.util.Optional<byte[]> referrers(UpstreamRequest request, Digest subject) {
        return get().referrers(request, subject);
    }

    @Override
    public UpstreamBlob openBlob(UpstreamRequest request, Digest digest, long offset) {
        return get().openBlob(request, digest, offset);
    }

    @Override
    public List<String> tags(UpstreamRequest request) {
        return get().tags(request);
    }

    @Override
    public UpstreamTags tags(UpstreamRequest request, int n, String last) {
        return get().tags(request, n, last);
    }

    @Override
    public void checkLogin(dev.cachalot.rules.Upstream upstream, String credentialSet) {
        get().checkLogin(upstream, credentialSet);
    }

    @Override
    public void close() {
        served.cancel(false);
        CompletableFuture<UpstreamClient> c;
        synchronized (this) {
            c = client;
        }
        if (c != null && c.isDone() && !c.isCompletedExceptionally() && c.join() instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception ignored) {
                // closing idle connections; nothing to report
            }
        }
    }
}
