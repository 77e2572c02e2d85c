package dev.cachalot.api.client;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.BiConsumer;

/**
 * A bundle as the HTTP client reads it for an upload: counts the bytes for progress (reported about every MiB, on the
 * client's own threads), remembers whether it was read to its end and why it failed if it did, and is not closed by
 * the client (the caller owns the stream).
 */
final class BundleUpload extends FilterInputStream {
    private static final long STEP = 1 << 20;

    private final long size;
    private final BiConsumer<Long, Long> bytesAndTotal;
    private long sent;
    private long reported;
    private volatile boolean finished;
    private volatile IOException readFailure;

    BundleUpload(InputStream in, long size, BiConsumer<Long, Long> bytesAndTotal) {
        super(in);
        this.size = size;
        this.bytesAndTotal = bytesAndTotal;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n;
        try {
            n = super.read(b, off, len);
        } catch (IOException e) {
            readFailure = e;
            throw e;
        }
        if (n < 0) {
            finished = true;
            bytesAndTotal.accept(sent, size);
            return n;
        }
        sent += n;
        if (sent - reported >= STEP) {
            reported = sent;
            bytesAndTotal.accept(sent, size);
        }
        return n;
    }

    @Override
    public void close() {
        // the caller's stream: it closes it
    }

    /** Whether every byte was handed to the client. */
    boolean finished() {
        return finished;
    }

    /** Why reading the bundle failed, if it did (null otherwise). */
    IOException readFailure() {
        return readFailure;
    }
}
