package dev.cachalot.registry;

import dev.cachalot.oci.Digest;
import dev.cachalot.oci.DistributionException;
import dev.cachalot.oci.ErrorCode;
import dev.cachalot.oci.Reference;
import dev.cachalot.oci.RepositoryName;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small in-memory backend for the HTTP layer's tests. It stands in for the pull-through backend (written in
 * another package) because these tests are about HTTP behaviour: routing, headers, ranges, errors, aborts.
 * It records every call so tests can assert that invalid requests never reached it.
 */
final class InMemoryBackend implements RegistryBackend {

    final AtomicInteger calls = new AtomicInteger();
    final List<RequestContext> contexts = new CopyOnWriteArrayList<>();
    final List<Served> served = new CopyOnWriteArrayList<>();
    private final Map<String, ManifestResult> manifests = new ConcurrentHashMap<>();
    private final Map<String, BlobSource> blobs = new ConcurrentHashMap<>();
    private final Map<String, TreeSet<String>> tags = new ConcurrentHashMap<>();
    private final Map<String, Referrers> referrers = new ConcurrentHashMap<>();
    volatile DistributionException nextFailure;
    volatile RuntimeException nextCrash;
    /** When set, every call waits for it before it answers (holding its server thread). */
    volatile java.util.concurrent.CountDownLatch hold;

    /**
     * Bumped by {@link #clear()}: a blob answered before the clear may report {@code served()} after it (the report comes
     * once the response completed), and must not count for the next test.
     */
    private final java.util.concurrent.atomic.AtomicInteger generation = new java.util.concurrent.atomic.AtomicInteger();

    void clear() {
        generation.incrementAndGet();
        calls.set(0);
        contexts.clear();
        served.clear();
        manifests.clear();
        blobs.clear();
        tags.clear();
        referrers.clear();
        nextFailure = null;
        nextCrash = null;
    }

    /** One call of {@link BlobResult#served(long, Throwable)}. */
    record Served(Digest digest, long bytes, Throwable failure) {
    }

    /** How a blob is offered: a file (warm) or a stream (cold) that may fail after some bytes. */
    record BlobSource(byte[] bytes, Path file, boolean announceSize, long failAfter, ContentOrigin origin) {
    }

    static Digest digestOf(byte[] bytes) {
        try {
            return Digest.sha256(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    Digest putManifest(String name, String tag, byte[] body, String mediaType, ContentOrigin origin) {
        Digest digest = digestOf(body);
        ManifestResult result = new ManifestResult(body, mediaType, digest, origin);
        manifests.put(name + "@" + digest, result);
        if (tag != null) {
            manifests.put(name + ":" + tag, result);
            tags.computeIfAbsent(name, k -> new TreeSet<>()).add(tag);
        }
        return digest;
    }

    void putTag(String name, String tag) {
        tags.computeIfAbsent(name, k -> new TreeSet<>()).add(tag);
    }

    void putWarmBlob(byte[] bytes, Path file, Digest digest) {
        blobs.put(digest.toString(), new BlobSource(bytes, file, true, -1, ContentOrigin.CACHE));
    }

    Digest putColdBlob(byte[] bytes, boolean announceSize, long failAfter) {
        Digest digest = digestOf(bytes);
        blobs.put(digest.toString(), new BlobSource(bytes, null, announceSize, failAfter, ContentOrigin.UPSTREAM));
        return digest;
    }

    void putReferrers(String subject, Referrers answer) {
        referrers.put(subject, answer);
    }

    private void enter(RequestContext context) {
        calls.incrementAndGet();
        contexts.add(context);
        java.util.concurrent.CountDownLatch gate = hold;
        if (gate != null) {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while held", e);
            }
        }
        DistributionException failure = nextFailure;
        if (failure != null) {
            nextFailure = null;
            throw failure;
        }
        RuntimeException crash = nextCrash;
        if (crash != null) {
            nextCrash = null;
            throw crash;
        }
    }

    @Override
    public ManifestResult manifest(RepositoryName name, Reference reference, RequestContext context) {
        enter(context);
        String key = name.value() + (reference instanceof Reference.Tag ? ":" : "@") + reference.value();
        ManifestResult result = manifests.get(key);
        if (result == null) {
            throw new DistributionException(ErrorCode.MANIFEST_UNKNOWN, "manifest unknown: " + name + " " + reference);
        }
        return result;
    }

    @Override
    public BlobResult blob(RepositoryName name, Digest digest, RequestContext context) {
        enter(context);
        BlobSource source = blobs.get(digest.toString());
        if (source == null) {
            throw new DistributionException(ErrorCode.BLOB_UNKNOWN, "blob unknown: " + digest);
        }
        return new MemoryBlob(digest, source);
    }

    @Override
    public TagPage tags(RepositoryName name, int n, String last, RequestContext context) {
        enter(context);
        TreeSet<String> all = tags.get(name.value());
        if (all == null) {
            throw new DistributionException(ErrorCode.NAME_UNKNOWN, "repository name not known to registry: " + name);
        }
        List<String> page = new ArrayList<>();
        for (String tag : last == null ? all : all.tailSet(last, false)) {
            if (n >= 0 && page.size() == n) {
                return new TagPage(name.value(), page, page.isEmpty() ? null : page.get(page.size() - 1));
            }
            page.add(tag);
        }
        return new TagPage(name.value(), page, null);
    }

    @Override
    public Referrers referrers(RepositoryName name, Digest subject, String artifactType, RequestContext context) {
        enter(context);
        Referrers answer = referrers.get(subject.toString());
        if (answer == null) {
            return new Referrers("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}".getBytes(),
                    artifactType != null);
        }
        return new Referrers(answer.index(), artifactType != null);
    }

    /** A blob answer over the in-memory bytes; a cold one streams in small pieces and may fail midway. */
    final class MemoryBlob implements BlobResult {
        private final Digest digest;
        private final int bornIn = generation.get();
        private final BlobSource source;
        final CountDownLatch servedOnce = new CountDownLatch(1);

        MemoryBlob(Digest digest, BlobSource source) {
            this.digest = digest;
            this.source = source;
        }

        @Override public Digest digest() { return digest; }
        @Override public long size() { return source.announceSize() ? source.bytes().length : -1; }
        @Override public ContentOrigin origin() { return source.origin(); }
        @Override public Path file() { return source.file(); }

        @Override
        public BlobStream openStream() {
            return new BlobStream() {
                int position;

                @Override
                public int read(ByteBuffer dst) throws IOException {
                    if (source.failAfter() >= 0 && position >= source.failAfter()) {
                        throw new IOException("digest mismatch (test)");
                    }
                    if (position >= source.bytes().length) {
                        return -1;
                    }
                    int limit = source.failAfter() >= 0 ? (int) source.failAfter() : source.bytes().length;
                    int n = Math.min(Math.min(dst.remaining(), 4096), limit - position);
                    dst.put(source.bytes(), position, n);
                    position += n;
                    return n;
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public Path awaitFile() throws IOException {
            if (source.failAfter() >= 0) {
                throw new IOException("digest mismatch (test)");
            }
            Path file = java.nio.file.Files.createTempFile("cold-blob", ".bin");
            java.nio.file.Files.write(file, source.bytes());
            file.toFile().deleteOnExit();
            return file;
        }

        @Override
        public void served(long bytesSent, Throwable failure) {
            if (bornIn == generation.get()) served.add(new Served(digest, bytesSent, failure));
            servedOnce.countDown();
        }
    }

    /** Waits until {@code count} served() reports arrived (they come after the response is complete). */
    List<Served> awaitServed(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (served.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return new ArrayList<>(served);
    }

}
