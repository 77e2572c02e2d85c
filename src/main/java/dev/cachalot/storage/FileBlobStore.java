package dev.cachalot.storage;

import dev.cachalot.oci.Digest;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link BlobStore} on the local file system: {@code blobs/<algorithm>/<first two hex>/<hex>}, temp files in
 * {@code tmp/} on the same file system so that the commit's move is atomic.
 *
 * <p>Every path is derived from a validated {@link Digest} (fixed algorithm names, fixed-length lowercase hex),
 * never from raw request text, so nothing written here can land outside the data folder.
 */
public final class FileBlobStore implements BlobStore, BlobHousekeeping {

    private static final Logger log = LoggerFactory.getLogger(FileBlobStore.class);

    /** How long the warm-up's direct buffers wait after its small updates; see {@link #warmUpHashing()}. */
    private static final long DIRECT_WARM_UP_DELAY_MILLIS = 2_000;

    /**
     * Threads that hash blobs while their download thread goes on reading: SHA-256 costs about as much CPU as
     * receiving and writing the bytes together (measured per GiB: 0.67 s hashing, 0.88 s receiving and writing), so
     * with hashing on another core the download thread's serial work per GiB falls from ~1.5 s to ~0.9 s. One task
     * per writer that uses {@link BlobWriter#writeAndRelease}, for as long as it fills.
     */
    private static final ExecutorService HASHERS = Executors.newCachedThreadPool(new ThreadFactory() {
        private final AtomicInteger n = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "blob-hash-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    });

    /**
     * Gets SHA-256 compiled before the first download needs it: until the JIT compiles the digest's update path
     * (which then uses the CPU's SHA instructions), hashing runs at about 200 MiB/s instead of 1,600, and a fresh
     * process's first cold blob paid ~70 ms for its first 16 MiB (measured on 2 vCPUs). Small updates reach the
     * compile thresholds in a few milliseconds; direct buffers take the path downloads use. Runs on a hasher
     * thread, in the background.
     *
     * <p>The direct buffers wait {@link #DIRECT_WARM_UP_DELAY_MILLIS}: right after the server starts, the compiler
     * is still busy with the start's own methods, so their 12 MiB ran at the interim compiled code's speed, 40-80 ms
     * of CPU competing with the first requests; a little later the same work costs a few ms. A big blob hashed within
     * that wait pays ~20-30 ms more on its first 16 MiB, once (decision 0043).
     */
    public static void warmUpHashing() {
        HASHERS.execute(() -> {
            try {
                MessageDigest digest = MessageDigest.getInstance("SHA-256");
                byte[] block = new byte[64];
                for (int i = 0; i < 20_000; i++) {
                    digest.update(block);
                }
                Thread.sleep(DIRECT_WARM_UP_DELAY_MILLIS);
                ByteBuffer direct = ByteBuffer.allocateDirect(4096);
                for (int i = 0; i < 3_000; i++) {
                    digest.update(direct.clear());
                }
                digest.digest();
            } catch (NoSuchAlgorithmException e) {
                log.debug("no SHA-256 to warm up", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** The digest algorithms whose folders hold blobs; see {@link Digest}. */
    private static final List<String> ALGORITHMS = List.of("sha256", "sha512");

    private final Path blobs;
    private final Path tmp;
    private final Function<Digest, MessageDigest> hashers;

    public FileBlobStore(DataFolder folder) {
        this(folder, FileBlobStore::hasherFor);
    }

    /** With another source of message digests: tests use it to make hashing fail. */
    FileBlobStore(DataFolder folder, Function<Digest, MessageDigest> hashers) {
        this.blobs = folder.blobs();
        this.tmp = folder.tmp();
        this.hashers = hashers;
        try {
            Files.createDirectories(blobs);
            Files.createDirectories(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create blob folders under " + folder.root() + ": " + e.getMessage(), e);
        }
    }

    /** Where the verified file of {@code digest} lives (whether or not it exists). */
    Path pathOf(Digest digest) {
        String hex = digest.hex();
        return blobs.resolve(digest.algorithm()).resolve(hex.substring(0, 2)).resolve(hex);
    }

    @Override
    public Optional<Path> find(Digest digest) {
        Path path = pathOf(digest);
        return Files.isRegularFile(path) ? Optional.of(path) : Optional.empty();
    }

    @Override
    public BlobWriter newWriter(Digest digest) throws IOException {
        return newWriter(digest, -1);
    }

    @Override
    public BlobWriter newWriter(Digest digest, long expectedSize) throws IOException {
        Files.createDirectories(tmp);
        // The digest prefix helps a human reading tmp/; the random part keeps concurrent writers of one digest apart.
        Path file = Files.createTempFile(tmp, digest.hex().substring(0, 16) + "-", ".part");
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE);
            if (expectedSize > 0) {
                // Sets the length (a sparse file) without allocating: on ext4 here, filling a file of its final length
                // ran at 4 GB/s against 0.5 GB/s when appending block by block. commit() cuts it to what was written.
                channel.write(ByteBuffer.wrap(new byte[1]), expectedSize - 1);
            }
            return new FileBlobWriter(digest, file, channel);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }

    @Override
    public void put(Digest digest, byte[] content) throws IOException {
        if (contains(digest)) {
            return;
        }
        try (BlobWriter writer = newWriter(digest)) {
            writer.write(ByteBuffer.wrap(content));
            writer.commit();
        }
    }

    /** Moves the caller-verified file into place when it is on this store's volume (no second write, no second hash). */
    @Override
    public void putVerifiedFile(Digest digest, Path file) throws IOException {
        Path target = pathOf(digest);
        try {
            if (Files.exists(target)) return;
            Files.createDirectories(target.getParent());
            Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            // another writer of the same content got there first; its file is identical and verified
        } catch (java.nio.file.AtomicMoveNotSupportedException e) {
            BlobStore.super.putVerifiedFile(digest, file);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Override
    public Optional<byte[]> read(Digest digest) throws IOException {
        try {
            return Optional.of(Files.readAllBytes(pathOf(digest)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public boolean delete(Digest digest) throws IOException {
        return Files.deleteIfExists(pathOf(digest));
    }

    /** Lists only well-placed blob files: stray files a person left under {@code blobs/} are no blobs. */
    @Override
    public void forEachBlob(BlobVisitor visitor) throws IOException {
        for (String algorithm : ALGORITHMS) {
            Path algorithmDir = blobs.resolve(algorithm);
            if (!Files.isDirectory(algorithmDir)) continue;
            try (DirectoryStream<Path> prefixes = Files.newDirectoryStream(algorithmDir)) {
                for (Path prefix : prefixes) {
                    if (!Files.isDirectory(prefix)) continue;
                    try (DirectoryStream<Path> files = Files.newDirectoryStream(prefix)) {
                        for (Path file : files) {
                            Digest digest = digestOf(algorithm, prefix, file);
                            if (digest == null) continue;
                            BasicFileAttributes attrs = attributes(file);
                            if (attrs == null) continue;
                            visitor.visit(new StoredBlob(digest, attrs.size(), attrs.lastModifiedTime().toInstant()));
                        }
                    }
                }
            }
        }
    }

    /** The digest a stored file stands for, or null for anything that is not a well-placed blob file. */
    private static Digest digestOf(String algorithm, Path prefix, Path file) {
        String hex = file.getFileName().toString();
        String prefixName = prefix.getFileName().toString();
        if (prefixName.length() != 2 || !hex.startsWith(prefixName)) {
            return null;
        }
        try {
            return new Digest(algorithm, hex);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** A regular file's attributes; null if it is something else or was deleted meanwhile. */
    private static BasicFileAttributes attributes(Path file) throws IOException {
        try {
            BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
            return attrs.isRegularFile() ? attrs : null;
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    @Override
    public int sweepTemp() throws IOException {
        if (!Files.isDirectory(tmp)) {
            return 0;
        }
        int removed = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(tmp)) {
            for (Path entry : entries) {
                if (Files.isRegularFile(entry) && Files.deleteIfExists(entry)) {
                    removed++;
                }
            }
        }
        if (removed > 0) {
            log.info("Removed {} temp file(s) left by an earlier run", removed);
        }
        return removed;
    }

    static MessageDigest hasherFor(Digest digest) {
        try {
            return MessageDigest.getInstance(digest.javaAlgorithm());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JDK lacks " + digest.javaAlgorithm(), e);
        }
    }

    /**
     * Fills one temp file, hashing on the way; single writer thread, any number of threads may read {@link #written()}.
     * Bytes given with {@link #writeAndRelease} are hashed on a {@link #HASHERS} thread, in order, after they reached
     * the file; {@link #commit()} waits for that thread before it compares digests.
     */
    private final class FileBlobWriter implements BlobWriter {

        private final Digest expected;
        private final Path file;
        private final FileChannel channel;
        private final MessageDigest hasher;
        private final AtomicBoolean finished = new AtomicBoolean();
        private volatile long written;
        /** Null until the first {@link #writeAndRelease}: then every later byte is hashed there, in order. */
        private AsyncHasher async;

        FileBlobWriter(Digest expected, Path file, FileChannel channel) {
            this.expected = expected;
            this.file = file;
            this.channel = channel;
            this.hasher = hashers.apply(expected);
        }

        @Override
        public Path tempFile() {
            return file;
        }

        @Override
        public void write(ByteBuffer src) throws IOException {
            if (async != null) {
                // Keep the hash in write order: these bytes queue behind the ones still being hashed. Waiting for them
                // keeps memory bounded when a caller mixes the two kinds of write.
                ByteBuffer copy = ByteBuffer.allocate(src.remaining()).put(src).flip();
                CountDownLatch hashed = new CountDownLatch(1);
                writeAndRelease(copy, b -> hashed.countDown());
                async.await(hashed);
                return;
            }
            checkOpen();
            // Hash a view so the caller's buffer (often direct) is neither copied to the heap by us nor consumed twice.
            hasher.update(src.duplicate());
            writeToFile(src);
        }

        @Override
        public void writeAndRelease(ByteBuffer src, Consumer<ByteBuffer> release) throws IOException {
            checkOpen();
            if (async == null) {
                async = new AsyncHasher(hasher);
                HASHERS.execute(async);
            }
            async.throwIfFailed();
            ByteBuffer toHash = src.duplicate();
            writeToFile(src);
            async.submit(toHash, release);
        }

        private void checkOpen() throws IOException {
            if (finished.get()) {
                throw new IOException("blob writer for " + expected + " is already closed");
            }
        }

        private void writeToFile(ByteBuffer src) throws IOException {
            long n = 0;
            while (src.hasRemaining()) {
                n += channel.write(src, written + n);
            }
            // Published after the bytes reached the file, so a reader tailing up to written() never reads a hole.
            written += n;
        }

        @Override
        public long written() {
            return written;
        }

        @Override
        public Path commit() throws IOException {
            if (!finished.compareAndSet(false, true)) {
                throw new IOException("blob writer for " + expected + " is already closed");
            }
            try {
                if (channel.size() != written) {
                    // Reserved length not filled: never let a blob end in bytes nobody wrote.
                    channel.truncate(written);
                }
                channel.close();
                if (async != null) {
                    async.finish();
                }
                Digest actual = new Digest(expected.algorithm(), HexFormat.of().formatHex(hasher.digest()));
                if (!actual.equals(expected)) {
                    throw new DigestMismatchException(expected, actual);
                }
                Path target = pathOf(expected);
                if (Files.exists(target)) {
                    // Another writer of the same content won the race; its file is identical and already verified.
                    Files.deleteIfExists(file);
                    return target;
                }
                Files.createDirectories(target.getParent());
                try {
                    Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException e) {
                    Files.deleteIfExists(file);
                }
                return target;
            } catch (IOException | RuntimeException e) {
                deleteQuietly();
                throw e;
            }
        }

        @Override
        public void close() {
            if (finished.compareAndSet(false, true)) {
                if (async != null) {
                    async.abandon();
                }
                try {
                    channel.close();
                } catch (IOException e) {
                    log.debug("closing temp file of {} failed", expected, e);
                }
                deleteQuietly();
            }
        }

        private void deleteQuietly() {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                log.warn("Cannot delete temp file {}: {}", file.getFileName(), e.getMessage());
            }
        }
    }

    /**
     * Hashes buffers in the order they were written, on a {@link #HASHERS} thread, and hands each back to its owner
     * afterwards. After a failure it keeps taking buffers and hands them back unhashed, so a writer waiting for a free
     * buffer never waits forever; the failure surfaces on the writer's next write and at commit.
     */
    private static final class AsyncHasher implements Runnable {
        private static final Pending END = new Pending(null, null);
        private static final Pending ABANDON = new Pending(null, null);

        private record Pending(ByteBuffer bytes, Consumer<ByteBuffer> release) {
        }

        private final MessageDigest hasher;
        private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private volatile Throwable failure;

        AsyncHasher(MessageDigest hasher) {
            this.hasher = hasher;
        }

        void submit(ByteBuffer bytes, Consumer<ByteBuffer> release) {
            queue.add(new Pending(bytes, release));
        }

        void throwIfFailed() throws IOException {
            Throwable f = failure;
            if (f != null) {
                throw new IOException("hashing failed: " + f, f);
            }
        }

        /** Waits until every byte submitted is hashed; afterwards the digest may be read. */
        void finish() throws IOException {
            queue.add(END);
            try {
                done.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while hashing");
            } catch (ExecutionException e) {
                throw new IOException("hashing failed: " + e.getCause(), e.getCause());
            }
            throwIfFailed();
        }

        /** Waits for {@code released} (a buffer's release), or until hashing stopped for good. */
        void await(CountDownLatch released) throws IOException {
            try {
                while (!released.await(1, TimeUnit.SECONDS)) {
                    if (done.isDone()) break;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while hashing");
            }
            throwIfFailed();
        }

        /** Stops hashing (the blob is dropped): buffers still queued go back unhashed. */
        void abandon() {
            queue.add(ABANDON);
        }

        @Override
        public void run() {
            try {
                while (true) {
                    Pending next = queue.take();
                    if (next == END || next == ABANDON) {
                        done.complete(null);
                        return;
                    }
                    try {
                        if (failure == null) {
                            hasher.update(next.bytes());
                        }
                    } catch (RuntimeException | Error e) {
                        failure = e;
                    }
                    try {
                        next.release().accept(next.bytes());
                    } catch (RuntimeException | Error e) {
                        if (failure == null) failure = e;
                    }
                }
            } catch (InterruptedException e) {
                // The pool is going away: nobody will commit.
                done.completeExceptionally(e);
            }
        }
    }
}
