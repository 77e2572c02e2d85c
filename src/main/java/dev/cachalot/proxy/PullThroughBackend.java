package dev.cachalot.proxy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cachalot.oci.Digest;
import dev.cachalot.oci.DistributionException;
import dev.cachalot.oci.ErrorCode;
import dev.cachalot.oci.Json;
import dev.cachalot.oci.ManifestFacts;
import dev.cachalot.oci.Reference;
import dev.cachalot.oci.RepositoryName;
import dev.cachalot.registry.BlobResult;
import dev.cachalot.registry.ContentOrigin;
import dev.cachalot.registry.ManifestResult;
import dev.cachalot.registry.Referrers;
import dev.cachalot.registry.RegistryBackend;
import dev.cachalot.registry.RequestContext;
import dev.cachalot.registry.TagPage;
import dev.cachalot.rules.FreshnessPolicy;
import dev.cachalot.rules.Resolution;
import dev.cachalot.rules.RuleSet;
import dev.cachalot.stats.PullEvent;
import dev.cachalot.stats.PullEvent.Kind;
import dev.cachalot.stats.PullEvent.Outcome;
import dev.cachalot.storage.BlobReads;
import dev.cachalot.storage.BlobStore;
import dev.cachalot.storage.RepositoryContents;
import dev.cachalot.storage.RepositoryKind;
import dev.cachalot.storage.RepositoryOrigin;
import dev.cachalot.storage.StoredManifest;
import dev.cachalot.storage.TagRecord;
import dev.cachalot.upstream.UpstreamClient;
import dev.cachalot.upstream.UpstreamException;
import dev.cachalot.upstream.UpstreamManifest;
import dev.cachalot.upstream.UpstreamRefused;
import dev.cachalot.upstream.UpstreamRequest;
import dev.cachalot.upstream.UpstreamTags;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry backend that makes Cachalot a pull-through cache: the local store wrapped by the upstreams of the
 * cache rules, so that the HTTP handlers never know where content came from.
 *
 * <p>Names with no rule are plain local repositories. Names a rule covers are served from the cache when it has
 * them, revalidated by tag according to the rule's freshness policy, and fetched from the upstream otherwise.
 * When the upstream fails a cached tag is still served (stale-if-error).
 */
public final class PullThroughBackend implements RegistryBackend, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PullThroughBackend.class);

    private final NameRouting routing;
    private final BlobStore store;
    private final RepositoryContents index;
    private final UpstreamClient upstream;
    private final BlobFills fills;
    private final Consumer<PullEvent> events;
    private final Clock clock;
    private final LocalRepositories local;
    private final DiskRoom room;
    private final CacheFiller filler;
    /** Null: reads are not marked (an engine whose blobs no collector deletes while it serves). */
    private final BlobReads reads;

    public PullThroughBackend(Supplier<RuleSet> rules, BlobStore store, RepositoryContents index, UpstreamClient upstream,
                              Consumer<PullEvent> events, Path dataRoot, long maxBlobBytes, Clock clock) {
        this(rules, store, index, upstream, events, dataRoot, maxBlobBytes, clock, ClusterFillLease.SINGLE_NODE);
    }

    /**
     * The same, for an engine sharing its blob store with others: {@code fillLeases} lets one engine at a time download
     * a missing blob, while the others wait until it is stored.
     */
    public PullThroughBackend(Supplier<RuleSet> rules, BlobStore store, RepositoryContents index, UpstreamClient upstream,
                              Consumer<PullEvent> events, Path dataRoot, long maxBlobBytes, Clock clock,
                              ClusterFillLease fillLeases) {
        this(rules, store, index, upstream, events, dataRoot, maxBlobBytes, clock, fillLeases, null);
    }

    /**
     * The same, marking every blob GET in {@code reads} from before the blob is looked up until its response is over,
     * so that garbage collection on any engine keeps a blob while it is served here (null: no marks).
     */
    public PullThroughBackend(Supplier<RuleSet> rules, BlobStore store, RepositoryContents index, UpstreamClient upstream,
                              Consumer<PullEvent> events, Path dataRoot, long maxBlobBytes, Clock clock,
                              ClusterFillLease fillLeases, BlobReads reads) {
        this.reads = reads;
        this.routing = new NameRouting(rules, index);
        this.store = store;
        this.index = index;
        this.upstream = upstream;
        this.events = events;
        this.clock = clock;
        this.fills = new BlobFills(store, upstream, dataRoot, maxBlobBytes, fillLeases);
        this.room = new DiskRoom(dataRoot);
        this.local = new LocalRepositories(rules, store, index, new dev.cachalot.storage.DataFolder(dataRoot).tmp(),
                maxBlobBytes, LocalRepositories.DEFAULT_UPLOAD_IDLE_EXPIRY, clock);
        this.filler = new CacheFiller(this, store, index, upstream, clock);
    }

    // ------------------------------------------------------------------ manifests

    @Override
    public ManifestResult manifest(RepositoryName name, Reference reference, RequestContext context) {
        long start = System.nanoTime();
        Optional<Resolution> resolution = routing.forPull(name, context.namespace());
        Served served;
        try {
            served = resolution.isPresent()
                    ? cachedManifest(resolution.get(), reference, context)
                    : localManifest(name, reference);
        } catch (DistributionException e) {
            record(resolution.map(Resolution::localName).orElse(name), reference.value(), null, manifestKind(context),
                    Outcome.FAILED, 0, 0, start, context, e.getMessage(), List.of());
            throw e;
        }
        RepositoryName local = resolution.map(Resolution::localName).orElse(name);
        // A HEAD is recorded too: containerd resolves a tag by HEAD and GETs by digest, and the image pull
        // (stats.ImagePulls) is named by that tag. An index lists its platform manifests, whose GETs continue the pull.
        ManifestResult m = served.result;
        record(local, reference.value(), m.digest().toString(), manifestKind(context), outcome(m.origin()),
                context.head() ? 0 : m.body().length, served.upstreamBytes, start, context, null, parts(m));
        return served.result;
    }

    private static Kind manifestKind(RequestContext context) {
        return context.head() ? Kind.HEAD : Kind.MANIFEST;
    }

    /** The platform manifests an index lists (nothing for any other manifest). */
    private static List<String> parts(ManifestResult m) {
        if (!dev.cachalot.oci.MediaTypes.isIndex(m.mediaType())) return List.of();
        try {
            return ManifestFacts.parse(m.body(), m.mediaType()).children().stream().map(d -> d.digest().toString()).toList();
        } catch (DistributionException e) {
            return List.of();
        }
    }

    private record Served(ManifestResult result, long upstreamBytes) {
    }

    private Served localManifest(RepositoryName name, Reference reference) {
        Digest digest = reference instanceof Reference.ByDigest d
                ? d.digest()
                : index.tag(name, reference.value()).map(TagRecord::digest).orElseThrow(() -> unknownManifest(name, reference));
        StoredManifest m = index.manifest(name, digest).orElseThrow(() -> unknownManifest(name, reference));
        byte[] body = readManifest(digest).orElseThrow(() -> unknownManifest(name, reference));
        return new Served(new ManifestResult(body, m.mediaType(), digest, ContentOrigin.LOCAL), 0);
    }

    private Served cachedManifest(Resolution r, Reference reference, RequestContext context) {
        RepositoryName local = r.localName();
        UpstreamRequest request = new UpstreamRequest(r.upstream(), r.upstreamRepository(), r.rule().credentialSet());
        List<String> accept = UpstreamAccept.forClient(context.accept());

        if (reference instanceof Reference.ByDigest byDigest) {
            Digest digest = byDigest.digest();
            Optional<ManifestResult> cached = cachedCopy(local, digest, ContentOrigin.CACHE);
            if (cached.isPresent()) return new Served(cached.get(), 0);
            ManifestResult fetched = fetchAndStore(r, request, digest.toString(), accept, null);
            return new Served(fetched, fetched.body().length);
        }

        String tag = reference.value();
        Optional<TagRecord> tagRecord = index.tag(local, tag);
        Optional<ManifestResult> cached = tagRecord.flatMap(t -> cachedCopy(local, t.digest(), ContentOrigin.CACHE))
                .filter(m -> acceptable(m.mediaType(), context.accept()));
        if (cached.isEmpty()) {
            ManifestResult fetched = fetchAndStore(r, request, tag, accept, tag);
            requireAcceptable(fetched, context.accept(), local, tag);
            return new Served(fetched, fetched.body().length);
        }
        ManifestResult copy = cached.get();
        Instant validated = tagRecord.get().validatedAt();
        FreshnessPolicy policy = r.rule().freshness();
        if (policy instanceof FreshnessPolicy.Ttl ttl && validated.plus(ttl.ttl()).isAfter(clock.instant())) {
            return new Served(copy, 0);
        }
        try {
            UpstreamManifest.Head head = upstream.headManifest(request, tag, accept);
            if (head.digest().equals(copy.digest())) {
                markValidated(local, tag);
                return new Served(copy, 0);
            }
            ManifestResult fetched = fetchAndStore(r, request, tag, accept, tag);
            requireAcceptable(fetched, context.accept(), local, tag);
            return new Served(fetched, fetched.body().length);
        } catch (UpstreamException e) {
            if (e.kind() == UpstreamException.Kind.NOT_FOUND) {
                throw UpstreamErrors.forManifest(e, local.value(), tag);
            }
            if (e instanceof UpstreamRefused) {
                // The failure that opened the breaker was logged once; under a sick upstream this runs per pull.
                log.debug("Upstream {} not asked to revalidate {}:{} ({}); serving the cached copy", r.upstream().loginServer(), local, tag, e.getMessage());
            } else {
                log.info("Upstream {} failed revalidating {}:{} ({}); serving the cached copy", r.upstream().loginServer(), local, tag, e.getMessage());
            }
            return new Served(new ManifestResult(copy.body(), copy.mediaType(), copy.digest(), ContentOrigin.STALE), 0);
        }
    }

    /** Bookkeeping only: a database that cannot write (a full disk) must not keep a cached tag from its client. */
    private void markValidated(RepositoryName local, String tag) {
        try {
            index.markValidated(local, tag, clock.instant());
        } catch (RuntimeException e) {
            log.warn("Serving {}:{} without recording its revalidation: {}", local, tag, e.getMessage());
        }
    }

    ManifestResult fetchAndStore(Resolution r, UpstreamRequest request, String reference, List<String> accept, String tagOrNull) {
        UpstreamManifest m;
        try {
            m = upstream.fetchManifest(request, reference, accept);
        } catch (UpstreamException e) {
            throw UpstreamErrors.forManifest(e, r.localName().value(), reference);
        }
        if (Digest.isDigest(reference) && !m.digest().toString().equals(reference)) {
            throw new DistributionException(ErrorCode.UPSTREAM_UNAVAILABLE, 502,
                    "the upstream sent a manifest with digest " + m.digest() + " for " + reference + "; nothing was cached", null, null);
        }
        ManifestFacts facts = ManifestFacts.parse(m.body(), m.mediaType());
        String what = "manifest " + r.localName() + ":" + reference;
        room.require(m.body().length, what);
        try {
            store.put(m.digest(), m.body());
        } catch (IOException e) {
            if (DiskRoom.isNoSpace(e) || room.isShort()) throw DiskRoom.full(what, e);
            throw new UncheckedIOException("cannot store manifest " + m.digest(), e);
        }
        try {
            index.putManifest(r.localName(), RepositoryKind.CACHED, new RepositoryOrigin(r.rule().name(), r.upstreamRepository()), m.digest(),
                    facts.mediaType(), m.body().length, facts.artifactType(), facts.subject());
            if (tagOrNull != null) {
                index.putTag(r.localName(), tagOrNull, m.digest(), clock.instant());
            }
        } catch (RuntimeException e) {
            // The database shares the volume: a write it could not make for want of space is the same 507.
            if (DiskRoom.isNoSpace(e) || room.isShort()) throw DiskRoom.full(what, e);
            throw e;
        }
        return new ManifestResult(m.body(), facts.mediaType(), m.digest(), ContentOrigin.UPSTREAM);
    }

    Optional<ManifestResult> cachedCopy(RepositoryName repository, Digest digest, ContentOrigin origin) {
        Optional<StoredManifest> m = index.manifest(repository, digest);
        if (m.isEmpty()) return Optional.empty();
        return readManifest(digest).map(body -> new ManifestResult(body, m.get().mediaType(), digest, origin));
    }

    private Optional<byte[]> readManifest(Digest digest) {
        try {
            return store.read(digest);
        } catch (IOException e) {
            log.warn("Cannot read manifest {} from the store: {}", digest, e.getMessage());
            return Optional.empty();
        }
    }

    /** No {@code Accept} or a wildcard takes anything; otherwise the type must be listed (no conversion, ever). */
    private static boolean acceptable(String mediaType, List<String> accept) {
        return accept.isEmpty() || accept.contains(mediaType) || accept.contains("*/*");
    }

    private static void requireAcceptable(ManifestResult m, List<String> accept, RepositoryName name, String tag) {
        if (!acceptable(m.mediaType(), accept)) {
            throw new DistributionException(ErrorCode.MANIFEST_UNKNOWN, 404,
                    "manifest " + name + ":" + tag + " is " + m.mediaType() + ", which the client did not accept ("
                            + String.join(", ", accept) + ")", null, null);
        }
    }

    private static DistributionException unknownManifest(RepositoryName name, Reference reference) {
        return new DistributionException(ErrorCode.MANIFEST_UNKNOWN, "manifest " + name + (reference instanceof Reference.Tag ? ":" : "@")
                + reference.value() + " is not known to this registry");
    }

    // ------------------------------------------------------------------ blobs

    @Override
    public BlobResult blob(RepositoryName name, Digest digest, RequestContext context) {
        // Marked before the lookup, so a collection that starts meanwhile sees the read before it could delete the
        // blob; the result's served() ends the mark, and a failure before there is a result ends it here.
        BlobReads.Mark mark = reads == null || context.head() ? NO_MARK : reads.start(digest);
        try {
            return blob(name, digest, context, mark);
        } catch (RuntimeException e) {
            mark.close();
            throw e;
        }
    }

    private static final BlobReads.Mark NO_MARK = () -> { };

    private BlobResult blob(RepositoryName name, Digest digest, RequestContext context, BlobReads.Mark mark) {
        long start = System.nanoTime();
        Optional<Resolution> resolution = routing.forPull(name, context.namespace());
        if (resolution.isEmpty()) {
            Optional<BlobResult> redirected = redirected(name, digest, ContentOrigin.LOCAL, start, context);
            if (redirected.isPresent()) {
                mark.close(); // the client reads from the store itself, when it likes: nothing to follow here
                return redirected.get();
            }
            Path file = store.find(digest).filter(f -> index.hasBlob(name, digest)).orElseThrow(() -> unknownBlob(name, digest));
            return new FileBlob(name, digest, file, ContentOrigin.LOCAL, start, context, mark);
        }
        Resolution r = resolution.get();
        RepositoryName local = r.localName();
        Optional<BlobResult> redirected = redirected(local, digest, ContentOrigin.CACHE, start, context);
        if (redirected.isPresent()) {
            mark.close();
            return redirected.get();
        }
        Optional<Path> file = store.find(digest);
        if (file.isPresent()) {
            FileBlob result = new FileBlob(local, digest, file.get(), ContentOrigin.CACHE, start, context, mark);
            linkCached(local, digest, result.size());
            return result;
        }
        UpstreamRequest request = new UpstreamRequest(r.upstream(), r.upstreamRepository(), r.rule().credentialSet());
        if (context.head()) {
            Optional<BlobResult> described = describedByUpstream(request, digest);
            if (described.isPresent()) return described.get();
        }
        BlobFills.Joined joined = fills.join(digest, request, stored -> index.linkBlob(local, digest, sizeOf(stored)));
        return new FillingBlob(local, joined, start, context, mark);
    }

    /**
     * A GET of a warm blob that the store lets the client fetch from itself (presigned redirects, off by default). Only
     * for blobs the repository already holds: a first pull through another repository takes the normal path, which
     * records the link.
     */
    private Optional<BlobResult> redirected(RepositoryName repository, Digest digest, ContentOrigin origin, long start,
                                            RequestContext context) {
        if (context.head() || !index.hasBlob(repository, digest)) return Optional.empty();
        return store.redirectFor(digest).map(url -> new RedirectedBlob(repository, digest, url, origin, start, context));
    }

    /**
     * Records that a repository has a blob the store already holds (pulled through another repository). It is
     * bookkeeping for garbage collection and the app's listings: when the database cannot write it (a full disk),
     * the blob is served all the same, and the link is made by the next pull.
     */
    private void linkCached(RepositoryName local, Digest digest, long size) {
        try {
            if (!index.hasBlob(local, digest)) index.linkBlob(local, digest, size);
        } catch (RuntimeException e) {
            log.warn("Serving cached blob {} without recording it in {}: {}", digest, local, e.getMessage());
        }
    }

    /**
     * A HEAD of a cold blob answered from an upstream HEAD: a client checking whether a blob exists (or how big it
     * is) must not cost a download of it. Empty when the upstream did not give the size; the caller then joins the
     * fill, whose answer carries it.
     */
    private Optional<BlobResult> describedByUpstream(UpstreamRequest request, Digest digest) {
        long size;
        try {
            size = upstream.headBlob(request, digest);
        } catch (UpstreamException e) {
            throw UpstreamErrors.forBlob(e, digest);
        }
        return size < 0 ? Optional.empty() : Optional.of(new DescribedBlob(digest, size));
    }

    private static long sizeOf(Path file) {
        try {
            return java.nio.file.Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static DistributionException unknownBlob(RepositoryName name, Digest digest) {
        return new DistributionException(ErrorCode.BLOB_UNKNOWN, "blob " + digest + " is not known in repository " + name);
    }

    /** A complete blob on disk. */
    private final class FileBlob implements BlobResult {
        private final RepositoryName repository;
        private final Digest digest;
        private final Path file;
        private final long size;
        private final ContentOrigin origin;
        private final long start;
        private final RequestContext context;
        private final BlobReads.Mark mark;

        FileBlob(RepositoryName repository, Digest digest, Path file, ContentOrigin origin, long start, RequestContext context,
                 BlobReads.Mark mark) {
            this.mark = mark;
            this.repository = repository;
            this.digest = digest;
            this.file = file;
            this.size = sizeOf(file);
            this.origin = origin;
            this.start = start;
            this.context = context;
        }

        @Override public Digest digest() { return digest; }
        @Override public long size() { return size; }
        @Override public ContentOrigin origin() { return origin; }
        @Override public Path file() { return file; }
        @Override public BlobStream openStream() { throw new IllegalStateException("complete blob: serve file()"); }
        @Override public Path awaitFile() { return file; }

        @Override
        public void served(long bytesSent, Throwable failure) {
            mark.close();
            if (context.head()) return;
            record(repository, digest.toString(), digest.toString(), Kind.BLOB, failure == null ? outcome(origin) : Outcome.FAILED,
                    bytesSent, 0, start, context, reason(failure));
        }
    }

    /** A warm blob the client is sent to fetch from the blob store itself; no byte goes through this engine. */
    private final class RedirectedBlob implements BlobResult {
        private final RepositoryName repository;
        private final Digest digest;
        private final java.net.URI url;
        private final ContentOrigin origin;
        private final long start;
        private final RequestContext context;

        RedirectedBlob(RepositoryName repository, Digest digest, java.net.URI url, ContentOrigin origin, long start,
                       RequestContext context) {
            this.repository = repository;
            this.digest = digest;
            this.url = url;
            this.origin = origin;
            this.start = start;
            this.context = context;
        }

        @Override public Digest digest() { return digest; }
        @Override public long size() { return -1; }
        @Override public ContentOrigin origin() { return origin; }
        @Override public Path file() { return null; }
        @Override public java.net.URI redirect() { return url; }
        @Override public BlobStream openStream() { throw new IllegalStateException("redirected: no body"); }
        @Override public Path awaitFile() { throw new IllegalStateException("redirected: no body"); }

        @Override
        public void served(long bytesSent, Throwable failure) {
            // A pull all the same (a hit), with no bytes through this engine.
            record(repository, digest.toString(), digest.toString(), Kind.BLOB, failure == null ? outcome(origin) : Outcome.FAILED,
                    0, 0, start, context, reason(failure));
        }
    }

    /** A cold blob known by its upstream HEAD: digest and size, no content (HEAD answers only). */
    private record DescribedBlob(Digest digest, long size) implements BlobResult {
        @Override public ContentOrigin origin() { return ContentOrigin.UPSTREAM; }
        @Override public Path file() { return null; }
        @Override public BlobStream openStream() { throw new IllegalStateException("a HEAD answer has no body"); }
        @Override public Path awaitFile() { throw new IllegalStateException("a HEAD answer has no body"); }
        @Override public void served(long bytesSent, Throwable failure) {
            // HEADs are not pulls: no event, as for every other HEAD
        }
    }

    /** A blob still arriving from the upstream. */
    private final class FillingBlob implements BlobResult {
        private final RepositoryName repository;
        private final BlobFills.Joined joined;
        private final long start;
        private final RequestContext context;
        private final BlobReads.Mark mark;

        FillingBlob(RepositoryName repository, BlobFills.Joined joined, long start, RequestContext context, BlobReads.Mark mark) {
            this.mark = mark;
            this.repository = repository;
            this.joined = joined;
            this.start = start;
            this.context = context;
        }

        @Override public Digest digest() { return joined.fill().digest(); }
        @Override public long size() { return joined.fill().size(); }
        @Override public ContentOrigin origin() { return ContentOrigin.UPSTREAM; }
        @Override public Path file() { return null; }
        @Override public BlobStream openStream() throws IOException { return joined.fill().openStream(); }
        @Override public Path awaitFile() throws IOException { return joined.fill().awaitFile(); }

        @Override
        public void served(long bytesSent, Throwable failure) {
            mark.close();
            if (context.head()) return;
            long upstreamBytes = joined.started() ? Math.max(joined.fill().size(), 0) : 0;
            record(repository, digest().toString(), digest().toString(), Kind.BLOB, failure == null ? Outcome.MISS : Outcome.FAILED,
                    bytesSent, upstreamBytes, start, context, reason(failure));
        }
    }

    // ------------------------------------------------------------------ tags and referrers

    /**
     * The cached tags merged with the upstream's. A client that pages ({@code n}) gets its page from one upstream
     * page asked with the same {@code n} and {@code last}, never the whole list: the first {@code n} of the merge of
     * the upstream's first {@code n} after {@code last} and the cached ones are the first {@code n} of all of them.
     * Without {@code n} the upstream's list is gathered whole, within the upstream client's bound on entries.
     */
    @Override
    public TagPage tags(RepositoryName name, int n, String last, RequestContext context) {
        Optional<Resolution> resolution = routing.forPull(name, context.namespace());
        RepositoryName local = resolution.map(Resolution::localName).orElse(name);
        TreeSet<String> tags = new TreeSet<>();
        index.tags(local).forEach(t -> tags.add(t.tag()));
        boolean upstreamHasMore = false;
        if (resolution.isPresent() && n != 0) {
            Resolution r = resolution.get();
            UpstreamRequest request = new UpstreamRequest(r.upstream(), r.upstreamRepository(), r.rule().credentialSet());
            try {
                if (n > 0) {
                    UpstreamTags page = upstream.tags(request, n, last);
                    if (page.more() && !page.tags().isEmpty()) {
                        // Cached tags past the upstream's page would skip upstream tags not seen yet.
                        tags.tailSet(page.tags().get(page.tags().size() - 1), false).clear();
                    }
                    tags.addAll(page.tags());
                    upstreamHasMore = page.more();
                } else {
                    tags.addAll(upstream.tags(request));
                }
            } catch (UpstreamException e) {
                if (tags.isEmpty()) throw UpstreamErrors.forRepository(e, local.value());
                log.info("Upstream {} failed listing tags of {} ({}); answering from the cache", r.upstream().loginServer(), local, e.getMessage());
            }
        } else if (resolution.isEmpty() && tags.isEmpty() && index.repositoryKind(local).isEmpty()) {
            throw new DistributionException(ErrorCode.NAME_UNKNOWN, "repository " + name + " is not known to this registry");
        }
        List<String> after = List.copyOf(last == null ? tags : tags.tailSet(last, false));
        if (n >= 0 && (after.size() > n || upstreamHasMore)) {
            List<String> page = after.subList(0, Math.min(n, after.size()));
            return new TagPage(name.value(), page, page.isEmpty() ? null : page.get(page.size() - 1));
        }
        return new TagPage(name.value(), after, null);
    }

    @Override
    public Referrers referrers(RepositoryName name, Digest subject, String artifactType, RequestContext context) {
        RepositoryName local = routing.forPull(name, context.namespace()).map(Resolution::localName).orElse(name);
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("schemaVersion", 2);
        root.put("mediaType", dev.cachalot.oci.MediaTypes.OCI_INDEX);
        ArrayNode manifests = root.putArray("manifests");
        for (StoredManifest m : index.referrers(local, subject)) {
            if (artifactType != null && !artifactType.equals(m.artifactType())) continue;
            ObjectNode d = manifests.addObject();
            d.put("mediaType", m.mediaType());
            d.put("digest", m.digest().toString());
            d.put("size", m.size());
            if (m.artifactType() != null) d.put("artifactType", m.artifactType());
            readManifest(m.digest()).ifPresent(body -> {
                try {
                    var annotations = Json.mapper().readTree(body).path("annotations");
                    if (annotations.isObject() && !annotations.isEmpty()) d.set("annotations", annotations);
                } catch (IOException ignored) {
                    // stored manifests were parsed when cached; nothing to add
                }
            });
        }
        try {
            return new Referrers(Json.mapper().writeValueAsBytes(root), artifactType != null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------ push: plain local repositories only

    @Override
    public dev.cachalot.registry.UploadStatus startUpload(RepositoryName name, RequestContext context) {
        return local.startUpload(name, context);
    }

    @Override
    public boolean mountBlob(RepositoryName name, Digest digest, RepositoryName from, RequestContext context) {
        return local.mountBlob(name, digest, from, context);
    }

    @Override
    public dev.cachalot.registry.UploadStatus uploadStatus(RepositoryName name, dev.cachalot.registry.UploadId upload,
                                                           RequestContext context) {
        return local.uploadStatus(name, upload, context);
    }

    @Override
    public dev.cachalot.registry.UploadSink<dev.cachalot.registry.UploadStatus> appendToUpload(RepositoryName name,
            dev.cachalot.registry.UploadId upload, long rangeStart, long length, RequestContext context) {
        return local.appendToUpload(name, upload, rangeStart, length, context);
    }

    @Override
    public dev.cachalot.registry.UploadSink<Digest> finishUpload(RepositoryName name,
            dev.cachalot.registry.UploadId upload, Digest digest, RequestContext context) {
        return local.finishUpload(name, upload, digest, context);
    }

    @Override
    public void cancelUpload(RepositoryName name, dev.cachalot.registry.UploadId upload, RequestContext context) {
        local.cancelUpload(name, upload, context);
    }

    @Override
    public void checkManifestPush(RepositoryName name, RequestContext context) {
        local.checkPush(name, context);
    }

    @Override
    public dev.cachalot.registry.PushedManifest putManifest(RepositoryName name, Reference reference, String contentType,
                                                            byte[] body, RequestContext context) {
        return local.putManifest(name, reference, contentType, body, context);
    }

    @Override
    public void deleteManifest(RepositoryName name, Reference reference, RequestContext context) {
        local.deleteManifest(name, reference, context);
    }

    @Override
    public void deleteBlob(RepositoryName name, Digest digest, RequestContext context) {
        local.deleteBlob(name, digest, context);
    }

    // ------------------------------------------------------------------ events

    private static Outcome outcome(ContentOrigin origin) {
        return switch (origin) {
            case CACHE -> Outcome.HIT;
            case UPSTREAM -> Outcome.MISS;
            case STALE -> Outcome.STALE;
            case LOCAL -> Outcome.LOCAL;
        };
    }

    private void record(RepositoryName repository, String reference, String digest, Kind kind, Outcome outcome, long bytes,
                        long upstreamBytes, long startNanos, RequestContext context) {
        record(repository, reference, digest, kind, outcome, bytes, upstreamBytes, startNanos, context, null, List.of());
    }

    private void record(RepositoryName repository, String reference, String digest, Kind kind, Outcome outcome, long bytes,
                        long upstreamBytes, long startNanos, RequestContext context, String error) {
        record(repository, reference, digest, kind, outcome, bytes, upstreamBytes, startNanos, context, error, List.of());
    }

    /** Why a blob was not served whole, in words: what the stats show beside "failed". */
    private static String reason(Throwable failure) {
        if (failure == null) return null;
        String message = failure.getMessage();
        return message == null || message.isBlank() ? failure.getClass().getSimpleName() : message;
    }

    private void record(RepositoryName repository, String reference, String digest, Kind kind, Outcome outcome, long bytes,
                        long upstreamBytes, long startNanos, RequestContext context, String error, List<String> parts) {
        try {
            events.accept(new PullEvent(clock.instant(), repository.value(), reference, digest, kind, outcome, bytes, upstreamBytes,
                    Duration.ofNanos(System.nanoTime() - startNanos).toNanos() / 1000, context.clientAddress(), error, parts));
        } catch (RuntimeException e) {
            log.warn("Could not record a pull event", e);
        }
    }

    /**
     * The pull-through fill path for callers that cache content without a client waiting for it (active sync): the same
     * verification, single flight and stores as a pull, with no pull event.
     */
    public CacheFiller filler() {
        return filler;
    }

    NameRouting routing() {
        return routing;
    }

    BlobFills fills() {
        return fills;
    }

    /** Lets go of the buffers kept for the next download (the process is going idle); see BlobFills. */
    public void releaseSpareBuffers() {
        fills.releaseSpareBuffers();
    }

    /** Downloads in flight (for tests and the status bar). */
    public int downloadsInFlight() {
        return fills.inFlightCount();
    }

    @Override
    public void close() {
        fills.close();
        local.close();
    }
}
