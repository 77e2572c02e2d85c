package dev.cachalot.sync;

import dev.cachalot.oci.Digest;
import dev.cachalot.oci.ManifestFacts;
import dev.cachalot.oci.RepositoryName;
import dev.cachalot.proxy.CacheFiller;
import dev.cachalot.rules.CacheRule;
import dev.cachalot.rules.Resolution;
import dev.cachalot.rules.SyncPolicy;
import dev.cachalot.storage.RepositoryCatalog;
import dev.cachalot.storage.RepositoryKind;
import dev.cachalot.storage.RepositorySummary;
import dev.cachalot.upstream.UpstreamException;
import dev.cachalot.upstream.UpstreamManifest;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * One sync run of one rule: for each repository, the upstream's tags through the rule's filter, and each selected tag
 * brought into the cache whole for the chosen platforms, through the pull path ({@link CacheFiller}).
 *
 * <p>A tag is recorded last, once its manifest, the chosen platforms' manifests and all their blobs are stored: a run
 * stopped anywhere (cancelled, killed, failed) leaves every tag as it was or whole, never pointing at content the cache
 * lacks. An index is kept whole (its digest stays the upstream's); the platforms it lists that the filter leaves out
 * are not fetched, as a pull of one platform leaves the others out.
 *
 * <p>Not thread-safe: one thread runs it; {@code cancelled} is asked between steps.
 */
final class SyncRun {

    /** A tag refused with 429 is tried this often in all, each time after the pause its {@code Retry-After} asks. */
    private static final int ATTEMPTS_WHEN_RATE_LIMITED = 3;

    private final CacheRule rule;
    private final SyncPolicy policy;
    private final SyncRequest request;
    private final CacheFiller filler;
    private final RepositoryCatalog catalog;
    private final UpstreamPace pace;
    private final SyncBandwidth bandwidth;
    private final Consumer<SyncProgress> progress;
    private final BooleanSupplier cancelled;
    private final Clock clock;

    private final List<SyncedTag> tags = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    private final List<String> pauses = new ArrayList<>();
    /** The last {@link #syncTag} failed on the upstream's rate limit (a 429 that outlasted the client's retries). */
    private boolean rateLimited;
    private int selected;
    private long bytes;
    private String repository;
    private String currentTag;

    SyncRun(CacheRule rule, SyncRequest request, CacheFiller filler, RepositoryCatalog catalog, UpstreamPace pace,
            SyncBandwidth bandwidth, Consumer<SyncProgress> progress, BooleanSupplier cancelled, Clock clock) {
        this.bandwidth = bandwidth;
        this.rule = rule;
        this.policy = rule.sync();
        this.request = request;
        this.filler = filler;
        this.catalog = catalog;
        this.pace = pace;
        this.progress = progress;
        this.cancelled = cancelled;
        this.clock = clock;
    }

    SyncReport run() {
        Instant started = clock.instant();
        List<String> repositories = repositories();
        boolean stopped = false;
        for (String name : repositories) {
            if (stop()) {
                stopped = true;
                break;
            }
            repository = name;
            try {
                syncRepository(RepositoryName.of(name));
            } catch (Cancelled e) {
                stopped = true;
                break;
            }
        }
        if (!stopped && stop()) stopped = true;
        repository = null;
        return new SyncReport(rule.name(), request.dryRun(), started, clock.instant(), repositories, tags, errors, pauses, stopped);
    }

    /** The local names to sync: the rule's target; for a wildcard rule the named ones, else those cached under it. */
    private List<String> repositories() {
        if (!rule.isWildcard()) return List.of(rule.targetRepository());
        String prefix = rule.targetRepository().equals("*") ? "" : rule.targetRepository().substring(0, rule.targetRepository().length() - 1);
        if (!policy.repositories().isEmpty()) {
            return policy.repositories().stream().map(r -> prefix + r).toList();
        }
        Set<String> cached = new LinkedHashSet<>();
        for (RepositorySummary r : catalog.repositories()) {
            if (r.kind() == RepositoryKind.CACHED && rule.name().equals(r.ruleName())) cached.add(r.name().value());
        }
        return List.copyOf(cached);
    }

    private void syncRepository(RepositoryName local) {
        Optional<Resolution> resolved = filler.resolve(local);
        if (resolved.isEmpty() || !resolved.get().rule().name().equals(rule.name())) {
            errors.add(local + ": not served by rule " + rule.name()
                    + resolved.map(r -> " (rule " + r.rule().name() + " serves it)").orElse(""));
            return;
        }
        Resolution r = resolved.get();
        List<String> chosen;
        if (request.tag() != null) {
            chosen = List.of(request.tag());
        } else {
            try {
                pause(r);
                chosen = policy.tags().select(filler.upstreamTags(r));
            } catch (UpstreamException e) {
                pace.after(r.upstream(), e);
                errors.add(local + ": listing the upstream's tags failed: " + e.getMessage());
                return;
            }
        }
        selected += chosen.size();
        report(null);
        for (String tag : chosen) {
            if (stop()) throw new Cancelled();
            report(tag);
            SyncedTag outcome = syncTag(r, tag);
            // Refused for the upstream's limit: the pace now knows how long to wait; the tag is tried again after it.
            for (int attempt = 1; attempt < ATTEMPTS_WHEN_RATE_LIMITED && rateLimited; attempt++) {
                outcome = syncTag(r, tag);
            }
            tags.add(outcome);
            if (outcome.action() == SyncedTag.Action.FAILED) errors.add(local + ":" + tag + ": " + outcome.detail());
            report(null);
        }
    }

    /** One tag; a stop while it is fetched throws {@link Cancelled} (its tag left as it was). */
    private SyncedTag syncTag(Resolution r, String tag) {
        rateLimited = false;
        String local = r.localName().value();
        Digest digest = null;
        try {
            pause(r);
            UpstreamManifest.Head head = filler.upstreamTag(r, tag);
            digest = head.digest();
            Optional<Digest> cached = filler.cachedTag(r.localName(), tag);
            Fetch fetch = new Fetch(r);
            boolean whole = cached.isPresent() && cached.get().equals(digest) && fetch.complete(digest);
            if (whole) {
                if (!request.dryRun()) filler.markValidated(r.localName(), tag);
                fetch.referrers(tag, digest);
                return new SyncedTag(local, tag, digest.toString(), SyncedTag.Action.UNCHANGED, fetch.manifests, fetch.blobs, fetch.bytes, null);
            }
            String skipped = fetch.take(digest);
            if (skipped != null) {
                return new SyncedTag(local, tag, digest.toString(), SyncedTag.Action.SKIPPED, fetch.manifests, fetch.blobs, fetch.bytes, skipped);
            }
            if (!request.dryRun()) filler.tag(r, tag, digest);
            // After the tag: referrers point at the image, the image does not need them.
            fetch.referrers(tag, digest);
            SyncedTag.Action action = request.dryRun() ? SyncedTag.Action.WOULD_FETCH : SyncedTag.Action.FETCHED;
            return new SyncedTag(local, tag, digest.toString(), action, fetch.manifests, fetch.blobs, fetch.bytes, null);
        } catch (Cancelled e) {
            throw e;
        } catch (UpstreamException e) {
            pace.after(r.upstream(), e);
            rateLimited = e.kind() == UpstreamException.Kind.RATE_LIMITED;
            String detail = e.kind() == UpstreamException.Kind.NOT_FOUND ? "the upstream has no such tag" : e.getMessage();
            return failed(local, tag, digest, detail);
        } catch (InterruptedIOException e) {
            throw new Cancelled();
        } catch (IOException | RuntimeException e) {
            if (stop()) throw new Cancelled();
            // The pull path words upstream failures for clients; the upstream's own answer is the cause.
            upstreamCause(e).ifPresent(u -> {
                pace.after(r.upstream(), u);
                rateLimited = u.kind() == UpstreamException.Kind.RATE_LIMITED;
            });
            return failed(local, tag, digest, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    private static Optional<UpstreamException> upstreamCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UpstreamException u) return Optional.of(u);
        }
        return Optional.empty();
    }

    private static SyncedTag failed(String local, String tag, Digest digest, String detail) {
        return new SyncedTag(local, tag, digest == null ? null : digest.toString(), SyncedTag.Action.FAILED, 0, 0, 0, detail);
    }

    /** The manifests and blobs of one tag: checked for completeness, or brought in (counted), or sized (dry run). */
    private final class Fetch {
        private final Resolution r;
        int manifests;
        int blobs;
        long bytes;
        /** The manifests whose referrers are synced: the tag's, and its chosen platforms'. */
        private final List<Digest> subjects = new ArrayList<>();

        Fetch(Resolution r) {
            this.r = r;
        }

        /** Whether the cache holds the manifest and, for the chosen platforms, everything under it. Reads only the cache. */
        boolean complete(Digest digest) {
            Optional<CacheFiller.FilledManifest> top = filler.cachedManifest(r.localName(), digest);
            if (top.isEmpty()) return false;
            ManifestFacts facts = ManifestFacts.parse(top.get().body(), top.get().mediaType());
            for (ManifestFacts.Descriptor child : chosenChildren(facts)) {
                Optional<CacheFiller.FilledManifest> image = filler.cachedManifest(r.localName(), child.digest());
                if (image.isEmpty()) return false;
                if (!blobsCached(ManifestFacts.parse(image.get().body(), image.get().mediaType()))) return false;
            }
            return facts.isIndex() || blobsCached(facts);
        }

        private boolean blobsCached(ManifestFacts image) {
            return image.blobs().stream().allMatch(b -> filler.hasBlob(b.digest()));
        }

        /**
         * Fetches (a dry run: sizes) the tag's content. Returns why the tag is left out, or null when taken.
         */
        String take(Digest digest) throws IOException {
            ManifestFacts top = manifest(digest);
            if (artifactType(top) != null && !policy.takesArtifactType(artifactType(top))) {
                return "artifact type " + artifactType(top) + " is not synced by this rule";
            }
            List<ManifestFacts> images = new ArrayList<>();
            if (top.isIndex()) {
                List<ManifestFacts.Descriptor> children = chosenChildren(top);
                if (children.isEmpty()) {
                    return "the index lists none of the platforms " + policy.platforms().text();
                }
                for (ManifestFacts.Descriptor child : children) {
                    ManifestFacts image = manifest(child.digest());
                    if (policy.takesArtifactType(artifactType(image))) images.add(image);
                }
            } else {
                images.add(top);
            }
            subjects.add(digest);
            subjects.addAll(chosenChildren(top).stream().map(ManifestFacts.Descriptor::digest).toList());
            blobsOf(images);
            return null;
        }

        /**
         * When the rule syncs referrers: those of the tag's manifest and of its chosen platform manifests that the
         * artifact-type filter takes, with their blobs (one level: not the referrers of referrers). A failure here is
         * the run's error, not the tag's: the tag is whole without them.
         */
        void referrers(String tag, Digest digest) {
            if (!policy.referrers()) return;
            if (subjects.isEmpty()) {
                subjects.add(digest);
                filler.cachedManifest(r.localName(), digest).ifPresent(m -> subjects.addAll(chosenChildren(
                        ManifestFacts.parse(m.body(), m.mediaType())).stream().map(ManifestFacts.Descriptor::digest).toList()));
            }
            try {
                for (Digest subject : subjects) {
                    pause(r);
                    Optional<byte[]> index = filler.upstreamReferrers(r, subject);
                    if (index.isEmpty()) continue;
                    List<ManifestFacts> artifacts = new ArrayList<>();
                    for (Referrer referrer : Referrer.listed(index.get())) {
                        if (!policy.takesArtifactType(referrer.artifactType())) continue;
                        if (filler.cachedManifest(r.localName(), referrer.digest()).isPresent()) continue;
                        artifacts.add(manifest(referrer.digest()));
                    }
                    blobsOf(artifacts);
                }
            } catch (Cancelled e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                if (stop()) throw new Cancelled();
                errors.add(r.localName() + ":" + tag + ": referrers: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            }
        }

        private void blobsOf(List<ManifestFacts> images) throws IOException {
            for (ManifestFacts image : images) {
                for (ManifestFacts.Descriptor blob : image.blobs()) {
                    if (stop()) throw new Cancelled();
                    if (filler.hasBlob(blob.digest())) {
                        if (!request.dryRun()) filler.blob(r, blob.digest()); // links it to this repository
                        continue;
                    }
                    blobs++;
                    if (request.dryRun()) {
                        add(Math.max(blob.size(), 0));
                        continue;
                    }
                    pause(r);
                    long fetched = filler.blob(r, blob.digest());
                    add(fetched);
                    waitForBandwidth(bandwidth.take(fetched));
                    report(currentTag);
                }
            }
        }

        private ManifestFacts manifest(Digest digest) {
            if (stop()) throw new Cancelled();
            Optional<CacheFiller.FilledManifest> cached = filler.cachedManifest(r.localName(), digest);
            if (cached.isPresent()) return ManifestFacts.parse(cached.get().body(), cached.get().mediaType());
            pause(r);
            manifests++;
            if (request.dryRun()) {
                UpstreamManifest m = filler.peekManifest(r, digest);
                add(m.body().length);
                return ManifestFacts.parse(m.body(), m.mediaType());
            }
            CacheFiller.FilledManifest m = filler.manifest(r, digest);
            add(m.upstreamBytes());
            return ManifestFacts.parse(m.body(), m.mediaType());
        }

        private void add(long n) {
            bytes += n;
            SyncRun.this.bytes += n;
        }
    }

    /** An index's platform manifests the filter takes (none for an image). */
    private List<ManifestFacts.Descriptor> chosenChildren(ManifestFacts facts) {
        if (!facts.isIndex()) return List.of();
        return facts.children().stream().filter(c -> policy.platforms().matches(c.platform())).toList();
    }

    /** An artifact's declared type; for an image, its config's media type (the OCI image spec's fallback). */
    private static String artifactType(ManifestFacts facts) {
        if (facts.artifactType() != null) return facts.artifactType();
        if (facts.isIndex()) return null;
        return facts.blobs().isEmpty() ? null : facts.blobs().get(0).mediaType();
    }

    /** Waits out the syncs' bandwidth ceiling, in slices so that a stop is quick. */
    private void waitForBandwidth(long nanos) {
        long until = System.nanoTime() + nanos;
        while (nanos > 0 && !stop()) {
            long left = until - System.nanoTime();
            if (left <= 0) return;
            try {
                Thread.sleep(Math.min(200, Math.max(1, left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Waits as the upstream's limits ask before a call of it; a stop asked meanwhile unwinds the run. */
    private void pause(Resolution r) {
        String pause = pace.beforeCall(r.upstream(), this::stop);
        if (pause != null) pauses.add(pause);
        if (stop()) throw new Cancelled();
    }

    private boolean stop() {
        return cancelled.getAsBoolean() || Thread.currentThread().isInterrupted();
    }

    private void report(String tag) {
        currentTag = tag;
        try {
            progress.accept(new SyncProgress(rule.name(), repository, tag, tags.size(), selected, bytes));
        } catch (RuntimeException e) {
            // a listener's fault must not stop the run
        }
    }

    /** A stop asked for between steps: unwinds to {@link #run()}, which reports what was done. */
    private static final class Cancelled extends RuntimeException {
        Cancelled() {
            super(null, null, false, false);
        }
    }
}
