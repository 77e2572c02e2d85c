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
        try {
            return client.fetchManifest(request, reference, accept);
        } catch (UpstreamException e) {
            throw failed(request, e);
        }
    }

    @Override
    public UpstreamManifest.Head headManifest(UpstreamRequest request, String reference, List<String> accept) {
        try {
            return client.headManifest(request, reference, accept);
        } catch (UpstreamException e) {
            throw failed(request, e);
        }
    }

    @Override
    public UpstreamBlob openBlob(UpstreamRequest request, Digest digest) {
        try {
            return client.openBlob(request, digest);
        } catch (UpstreamException e) {
            throw failed(request, e);
        }
    }

    @Override
    public long headBlob(UpstreamRequest request, Digest digest) {
        try {
            return client.headBlob(request, digest);
        } catch (UpstreamException e) {
            throw failed(request, e);
        }
    }

    @Override
    public UpstreamBlob openBlob(UpstreamRequest request, Digest digest, long offset) {
        try {
            return client.openBlob(request, digest, offset);
        } catch (UpstreamException e) {
            throw failed(request, e);
        }
    }

    @Override
    public List<String> tags(UpstreamRequest request) {
        try {
            return client.tags(request);
        } catch (UpstreamException e) {
            throw failed(request, e);
        }
    }

    @Override
    public UpstreamTags tags(UpstreamRequest request, int n, String last) {
        try {
            return client.tags(request, n, last);
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
