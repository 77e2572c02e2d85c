package dev.cachalot.api.client;

import dev.cachalot.bundle.BundleException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.function.BiConsumer;

/**
 * A bundle's tar as it arrives, written to the caller's stream on the HTTP client's threads while the caller waits on
 * {@link #getBody()}: waiting is what an interrupt reliably ends (the JDK's blocking response stream clears an
 * interrupt and reads on), so the portal's Cancel works at any moment. After {@link #cancel()} returns nothing more is
 * written to the stream. Progress counts the archive's bytes, capped at {@code total} (the archive's headers make it a
 * little longer than its blobs), and is reported about every MiB on the client's threads.
 */
final class BundleDownload implements HttpResponse.BodySubscriber<Long> {
    private static final long STEP = 1 << 20;

    private final OutputStream out;
    private final long total;
    private final BiConsumer<Long, Long> bytesAndTotal;
    private final CompletableFuture<Long> done = new CompletableFuture<>();
    private final Object writing = new Object();
    private volatile Flow.Subscription subscription;
    private boolean cancelled;
    private long received;
    private long reported;

    BundleDownload(OutputStream out, long total, BiConsumer<Long, Long> bytesAndTotal) {
        this.out = out;
        this.total = total;
        this.bytesAndTotal = bytesAndTotal;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        bytesAndTotal.accept(0L, total);
        s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        synchronized (writing) {
            if (cancelled) return;
            try {
                for (ByteBuffer b : buffers) {
                    int n = b.remaining();
                    if (b.hasArray()) {
                        out.write(b.array(), b.arrayOffset() + b.position(), n);
                    } else {
                        byte[] copy = new byte[n];
                        b.get(copy);
                        out.write(copy);
                    }
                    received += n;
                }
            } catch (IOException e) {
                // the caller's side failed (its disk, say), not the transfer: said as such
                cancelled = true;
                done.completeExceptionally(new BundleException("cannot write the bundle: " + e.getMessage(), e));
                subscription.cancel();
                return;
            }
            if (received - reported >= STEP) {
                reported = received;
                bytesAndTotal.accept(Math.min(received, total), total);
            }
        }
        subscription.request(1);
    }

    @Override
    public void onError(Throwable failure) {
        done.completeExceptionally(failure);
    }

    /** Only after the last chunk: a cut transfer ends in {@link #onError} instead. */
    @Override
    public void onComplete() {
        bytesAndTotal.accept(total, total);
        done.complete(received);
    }

    @Override
    public CompletionStage<Long> getBody() {
        return done;
    }

    /** Stops the transfer (its connection is closed); no byte is written to the stream after this returns. */
    void cancel() {
        synchronized (writing) {
            cancelled = true;
        }
        Flow.Subscription s = subscription;
        if (s != null) s.cancel();
    }
}
