package dev.cachalot.bench;

import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.TempDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The reference: CNCF distribution ({@code docker-registry}) in pull-through (proxy) mode against the same
 * upstream, access log off so it is not slowed by logging. Repository names are the upstream's.
 */
final class PeerSubject implements Subject {
    private final String upstreamUrl;
    private final Path root = TempDirs.create("cachalot-bench-peer-");
    private DockerRegistryFixture registry;
    private int generation;

    PeerSubject(String upstreamUrl) {
        this.upstreamUrl = upstreamUrl;
    }

    @Override
    public String name() {
        return "peer";
    }

    @Override
    public int port() {
        return running().port();
    }

    @Override
    public String repository(String upstreamRepository) {
        return upstreamRepository;
    }

    @Override
    public boolean sentUpstream(String userAgent) {
        // Cachalot names itself (cachalot/<version>, BuildVersion.userAgent); the peer is Go's distribution.
        return !userAgent.startsWith("cachalot/");
    }

    @Override
    public long pid() {
        return running().pid();
    }

    @Override
    public Duration startEmpty() {
        stopAndForget();
        Path storage = root.resolve("storage-" + (++generation));
        try {
            Files.createDirectories(storage);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        // start() returns once GET /v2/ answers (it polls every 50 ms: that is this number's resolution)
        long start = System.nanoTime();
        registry = DockerRegistryFixture.builder()
                .proxyOf(upstreamUrl)
                .accessLog(false)
                .logLevel("error")
                .storage(storage)
                .start();
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** The repository link is written last, after the data was verified and moved into place. */
    @Override
    public void awaitStored(String repository, String digest, long size) {
        Evictions.awaitFile(blobDir(digest).resolve("data"), size, "the peer's stored copy of " + digest);
        Evictions.awaitFile(link(repository, digest).resolve("link"), -1, "the peer's link to " + digest);
    }

    private Path blobDir(String digest) {
        String hex = Evictions.hex(digest);
        return running().storage().resolve("docker/registry/v2/blobs/sha256").resolve(hex.substring(0, 2)).resolve(hex);
    }

    private Path link(String repository, String digest) {
        String hex = Evictions.hex(digest);
        return running().storage().resolve("docker/registry/v2/repositories").resolve(repository)
                .resolve("_layers/sha256").resolve(hex);
    }

    @Override
    public void restartTls(BenchTls tls) {
        Path storage = running().storage();
        registry.close(); // the storage was given to it, so it stays
        registry = null;
        DockerRegistryFixture.Builder builder = DockerRegistryFixture.builder()
                .proxyOf(upstreamUrl)
                .accessLog(false)
                .logLevel("error")
                .storage(storage);
        registry = (tls == null ? builder : builder.tls(tls.certificate(), tls.key(), tls.trust())).start();
    }

    @Override
    public Duration restart() {
        DockerRegistryFixture current = running();
        current.stop();
        long start = System.nanoTime();
        current.restart();
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /**
     * Why the peer stopped, from its application log (errors only, as the benchmark runs it): the first line of a Go
     * panic or fatal error and the two after it, or else the last lines.
     */
    String exitReason() {
        if (registry == null) return "";
        List<String> all = registry.logText().lines().toList();
        int from = Math.max(0, all.size() - 3);
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).startsWith("panic") || all.get(i).startsWith("fatal error")) {
                from = i;
                break;
            }
        }
        return String.join(" | ", all.subList(from, Math.min(all.size(), from + 3)));
    }

    private DockerRegistryFixture running() {
        if (registry == null) {
            throw new IllegalStateException("peer not started");
        }
        return registry;
    }

    private void stopAndForget() {
        if (registry != null) {
            Path storage = registry.storage();
            registry.close();
            TempDirs.deleteQuietly(storage);
            registry = null;
        }
    }

    @Override
    public void close() {
        stopAndForget();
        TempDirs.deleteQuietly(root);
    }
}
