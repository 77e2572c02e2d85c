package dev.cachalot.bench;

import dev.cachalot.engine.Engine;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.oci.Digest;
import dev.cachalot.oci.RepositoryName;
import dev.cachalot.stats.PullEvent;
import dev.cachalot.stats.PullEventRecorder;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.storage.Database;
import dev.cachalot.storage.FileBlobStore;
import dev.cachalot.storage.JdbcMetadataStore;
import dev.cachalot.storage.RepositoryKind;
import dev.cachalot.storage.RepositoryOrigin;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;

/**
 * Fills a data folder the way workload 7 leaves it after caching {@code count} small manifests through a wildcard
 * rule (repository rows, manifest rows and files, blob links, one pull event and one pull count per manifest), in
 * seconds instead of a pull-through run; for profiling start-up outside the full benchmark:
 * {@code java -cp target/test-classes:target/cachalot.jar dev.cachalot.bench.FullDataFolder DIR 10000}.
 */
public final class FullDataFolder {
    static final String MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json";

    private FullDataFolder() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: FullDataFolder DIR COUNT");
            System.exit(2);
        }
        create(Path.of(args[0]), Integer.parseInt(args[1]));
        System.exit(0);
    }

    /** Creates (or adds to) the data folder at {@code root} with one rule and {@code count} cached manifests. */
    public static void create(Path root, int count) throws IOException {
        DataFolder folder = new DataFolder(root);
        String upstream = "127.0.0.1:1";
        try (Engine engine = Engine.open(folder)) {
            if (engine.rules().isEmpty()) {
                engine.addUpstream(upstream, "http://" + upstream, null);
                engine.createRule(new RuleDraft(CachalotSubject.RULE_NAME, upstream + "/*",
                        CachalotSubject.TARGET_PREFIX + "*", null, null));
            }
        }
        Database database = Database.open(folder);
        try (PullEventRecorder recorder = new PullEventRecorder(database)) {
            FileBlobStore blobs = new FileBlobStore(folder);
            JdbcMetadataStore index = new JdbcMetadataStore(database);
            RepositoryName repository = RepositoryName.of(CachalotSubject.TARGET_PREFIX + BenchUpstream.MANY);
            RepositoryOrigin origin = new RepositoryOrigin(CachalotSubject.RULE_NAME, BenchUpstream.MANY);
            Digest config = put(blobs, "{\"architecture\":\"amd64\",\"os\":\"linux\"}");
            Digest layer = put(blobs, "layer");
            for (int i = 0; i < count; i++) {
                String body = "{\"schemaVersion\":2,\"mediaType\":\"" + MEDIA_TYPE + "\",\"config\":{\"mediaType\":"
                        + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + config + "\",\"size\":40},"
                        + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" + layer
                        + "\",\"size\":5}],\"annotations\":{\"n\":\"" + i + "\"}}";
                Digest digest = put(blobs, body);
                index.putManifest(repository, RepositoryKind.CACHED, origin, digest, MEDIA_TYPE,
                        body.length(), null, null);
                Instant now = Instant.now();
                index.recordPull(repository, null, digest, now);
                recorder.record(new PullEvent(now, repository.value(), digest.toString(), digest.toString(),
                        PullEvent.Kind.MANIFEST, PullEvent.Outcome.MISS, body.length(), body.length(), 1000, "127.0.0.1"));
            }
            index.linkBlob(repository, config, 40);
            index.linkBlob(repository, layer, 5);
            recorder.flush();
        } finally {
            database.close();
        }
    }

    private static Digest put(FileBlobStore blobs, String content) throws IOException {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        try {
            Digest digest = Digest.sha256(MessageDigest.getInstance("SHA-256").digest(bytes));
            blobs.put(digest, bytes);
            return digest;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
