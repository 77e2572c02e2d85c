package dev.cachalot.engine;

import dev.cachalot.oci.Digest;
import dev.cachalot.rules.Upstream;
import dev.cachalot.upstream.UpstreamBlob;
import dev.cachalot.upstream.UpstreamClient;
import dev.cachalot.upstream.UpstreamException;
import dev.cachalot.upstream.UpstreamManifest;
import dev.cachalot.upstream.UpstreamRequest;
import dev.cachalot.upstream.UpstreamTags;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The upstream client, telling of each failed call by upstream (login server) and kind: the one place every upstream
 * call passes, so the metrics need no hook in the pull-through code. Failures while a blob body is read are the
 * fill's and are not counted here.
 */
final class ObservedUpstreamClient implements UpstreamClient, AutoCloseable {
    private final UpstreamClient client;
    private final BiConsumer<String, UpstreamException.Kind> failures;

    ObservedUpstreamClient(UpstreamClient client, BiConsumer<String, UpstreamException.Kind> failures) {
        this.client = client;
        this.failures = failures;
    }

    @Override
    public UpstreamManifest fetchManifest(UpstreamRequest request, String reference, List<String> accept) {
        return observed(request, () -> client.fetchManifest(request, reference, accept));
    }

    @Override
    public UpstreamManifest.Head headManifest(UpstreamRequest request, String reference, List<String> accept) {
        return observed(request, () -> client.headManifest(request, reference, accept));
    }

    @Override
    public UpstreamBlob openBlob(UpstreamRequest request, Digest digest) {
        return observed(request, () -> client.openBlob(request, digest));
    }

    @Override
    public long headBlob(UpstreamRequest request, Digest digest) {
        return observed(request, () -> client.headBlob(request, digest));
    }

    @Override
    public java.util.Optional<byte[]> referrers(UpstreamRequest request, Digest subject) {
        return observed(request, () -> client.referrers(request, subject));
    }

    @Override
    public UpstreamBlob openBlob(UpstreamRequest request, Digest digest, long offset) {
        return observed(request, () -> client.openBlob(request, digest, offset));
    }

    @Override
    public List<String> tags(UpstreamRequest request) {
        return observed(request, () -> client.tags(request));
    }

    @Override
    public UpstreamTags tags(UpstreamRequest request, int n, String last) {
        return observed(request, () -> client.tags(request, n, last));
    }

    /** Runs one upstream call, counting its failure by upstream and kind before it goes on to the caller. */
    private <T> T observed(UpstreamRequest request, java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (UpstreamException e) {
            throw failed(request, e);
        }
    }

    @Override
    public void checkLogin(Upstream upstream, String credentialSet) {
        client.checkLogin(upstream, credentialSet);
    }

    @Override
    public void close() throws Exception {
        if (client instanceof AutoCloseable closeable) closeable.close();
    }

    private UpstreamException failed(UpstreamRequest request, UpstreamException e) {
        try {
            failures.accept(request.upstream().loginServer(), e.kind());
        } catch (RuntimeException ignored) {
            // counting must never change what the caller sees
        }
        return e;
    }
}
