package dev.cachalot.upstream;

import dev.cachalot.oci.Digest;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * An upstream client built off the start-up path: building one loads the platform's TLS trust store, which costs
 * hundreds of milliseconds the registry need not wait for. {@link #prepare()} starts the build in the background,
 * then warms the client up ({@link OkHttpUpstreamClient#warmUp()}); the first call that needs the client waits for
 * the build only.
 */
public final class DeferredUpstreamClient implements UpstreamClient, AutoCloseable {

    /** Off only to measure what the warm-up saves ({@code -Dcachalot.upstream.warmUp=false}). */
    private static final boolean WARM_UP = !"false".equals(System.getProperty("cachalot.upstream.warmUp"));

    private final Supplier<? extends UpstreamClient> factory;
    private volatile CompletableFuture<UpstreamClient> client;

    public DeferredUpstreamClient(Supplier<? extends UpstreamClient> factory) {
        this.factory = factory;
    }

    /** Starts building the client on a background thread, if not yet started. */
    public void prepare() {
        future(true);
    }

    private synchronized CompletableFuture<UpstreamClient> future(boolean background) {
        if (client == null) {
            if (background) {
                client = new CompletableFuture<>();
                CompletableFuture<UpstreamClient> target = client;
                Thread t = new Thread(() -> {
                    UpstreamClient built;
                    try {
                        built = factory.get();
                        target.complete(built);
                    } catch (RuntimeException | Error e) {
                        target.completeExceptionally(e);
                        return;
                    }
                    // After the client is available, so a real request never waits for the warm-up.
                    if (built instanceof OkHttpUpstreamClient okHttp && WARM_UP) {
                        okHttp.warmUp();
                    }
                }, "upstream-client-init");
                t.setDaemon(true);
                t.start();
            } else {
                client = CompletableFuture.completedFuture(factory.get());
            }
        }
        return client;
    }

    private UpstreamClient get() {
        return future(false).join();
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
