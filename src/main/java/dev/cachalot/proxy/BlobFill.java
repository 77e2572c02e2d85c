package dev.cachalot.proxy;

import dev.cachalot.oci.Digest;
import dev.cachalot.registry.BlobResult.BlobStream;
import dev.cachalot.registry.BlobResult.MappableBlobStream;
import dev.cachalot.storage.BlobStore.BlobWriter;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One upstream download of one blob into the store, shared by every client that asks for it meanwhile.
 *
 * <p>The download writes a temp file; readers tail that file as bytes arrive, each at its own pace, so a slow
 * client never slows the download nor the other clients, and a client that disconnects does not cancel it.
 * The final byte is released to readers only after the digest was verified and the file moved into place:
 * on a mismatch every reader fails before its client has a body that looks complete.
 */
final class BlobFill {

    enum State { RUNNING, DONE, FAILED }

    private final Digest digest;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition progress = lock.newCondition();
    /** Completes when the upstream answered with headers (size known), or exceptionally when it refused. */
    private final CompletableFuture<Long> started = new CompletableFuture<>();

    private volatile Path tempFile;
    private volatile long size = -1;
    private long written;
    private State state = State.RUNNING;
    private Path finalFile;
    private IOException failure;

    BlobFill(Digest digest) {
        this.digest = digest;
    }

    Digest digest() {
        return digest;
    }

    CompletableFuture<Long> started() {
        return started;
    }

    long size() {
        return size;
    }

    // ---- the writer side (the download thread) ----

    void begin(BlobWriter writer, long contentLength) {
        this.tempFile = writer.tempFile();
        this.size = contentLength;
        started.complete(contentLength);
    }

    void refuse(RuntimeException e) {
        started.completeExceptionally(e);
        fail(new IOException(e.getMessage(), e));
    }

    void advance(long total) {
        lock.lock();
        try {
            written = total;
            progress.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void complete(Path file) {
        lock.lock();
        try {
            finalFile = file;
            state = State.DONE;
            progress.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void fail(IOException e) {
        lock.lock();
        try {
            if (state == State.RUNNING) {
                failure = e;
                state = State.FAILED;
            }
            progress.signalAll();
        } finally {
            lock.unlock();
        }
        started.completeExceptionally(e);
    }

    // ---- the reader side (client threads) ----

    /** Blocks until the blob is verified and returns its file. */
    Path awaitFile() throws IOException {
        lock.lock();
        try {
            while (state == State.RUNNING) {
                progress.await();
            }
            if (state == State.FAILED) throw failure("download failed");
            return finalFile;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for blob " + digest);
        } finally {
            lock.unlock();
        }
    }

    BlobStream openStream() throws IOException {
        return new Reader(openChannel());
    }

    private FileChannel openChannel() throws IOException {
        // The temp file is renamed into place on success; an open channel keeps reading the same file.
        Path temp = tempFile;
        try {
            return FileChannel.open(temp, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return FileChannel.open(awaitFile(), StandardOpenOption.READ);
        }
    }

    private IOException failure(String what) {
        IOException e = new IOException("blob " + digest + ": " + what + ": " + (failure == null ? "" : failure.getMessage()), failure);
        return e;
    }

    /** Bytes a reader may see now: all once verified, else all written but the last (the release of which needs the verdict). */
    private long releasable() {
        if (state == State.DONE) return written;
        return Math.max(0, written - 1);
    }

    private final class Reader implements MappableBlobStream {
        private final FileChannel channel;
        private long position;

        Reader(FileChannel channel) {
            this.channel = channel;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            long limit = awaitBytes();
            if (limit < 0) return -1;
            int want = (int) Math.min(dst.remaining(), limit - position);
            ByteBuffer slice = dst.slice(dst.position(), want);
            int n = 0;
            while (slice.hasRemaining()) {
                int r = channel.read(slice, position + n);
                if (r < 0) throw new IOException("blob " + digest + ": temp file shorter than written");
                n += r;
            }
            dst.position(dst.position() + n);
            position += n;
            return n;
        }

        /**
         * Maps released bytes of the temp file (presized to the blob, so any released range lies inside it): the
         * client's socket is written straight from the page cache, where {@link #read} first copies into a buffer.
         */
        @Override
        public MappedByteBuffer map(int max) throws IOException {
            long limit = awaitBytes();
            if (limit < 0) return null;
            int n = (int) Math.min(max, limit - position);
            MappedByteBuffer window = channel.map(FileChannel.MapMode.READ_ONLY, position, n);
            position += n;
            return window;
        }

        @Override
        public long transferTo(WritableByteChannel target, long max) throws IOException {
            long limit = awaitBytes();
            if (limit < 0) return -1;
            long n = channel.transferTo(position, Math.min(max, limit - position), target);
            position += n;
            return n;
        }

        /** Waits until bytes past {@link #position} may be read; returns how far, or -1 at the verified end. */
        private long awaitBytes() throws IOException {
            lock.lock();
            try {
                while (true) {
                    if (state == State.FAILED) throw failure("download failed");
                    long limit = releasable();
                    if (position < limit) return limit;
                    if (state == State.DONE) return -1;
                    progress.await();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while streaming blob " + digest);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing to do: read-only channel
            }
        }
    }
}
