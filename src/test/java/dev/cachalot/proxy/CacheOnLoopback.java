package dev.cachalot.proxy;

import dev.cachalot.registry.RegistryServer;
import dev.cachalot.registry.ServerLimits;
import dev.cachalot.rules.FreshnessPolicy;
import dev.cachalot.rules.RuleService;
import dev.cachalot.rules.RuleStore;
import dev.cachalot.rules.UpstreamStore;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.storage.Database;
import dev.cachalot.storage.FileBlobStore;
import dev.cachalot.storage.JdbcMetadataStore;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.RegistryReader;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The engine's parts wired as the engine wires them (H2 index, file blob store, OkHttp client, registry server) on a
 * data folder of the test's choosing, with Debian's docker-registry as the upstream behind the rule {@code up/*}, and
 * server limits of the test's choosing.
 */
final class CacheOnLoopback implements AutoCloseable {

    final DockerRegistryFixture upstream;
    final RegistryPusher upstreamPusher;
    final DataFolder folder;
    final PullThroughBackend backend;
    final RegistryServer server;
    final RegistryReader reader;
    private final Database db;
    private final dev.cachalot.upstream.OkHttpUpstreamClient client;

    CacheOnLoopback(Path dataRoot, ServerLimits limits) throws IOException {
        upstream = DockerRegistryFixture.start();
        upstreamPusher = new RegistryPusher(upstream.url());
        folder = new DataFolder(dataRoot).ensureCreated();
        db = Database.open(folder);
        JdbcMetadataStore index = new JdbcMetadataStore(db);
        RuleService rules = new RuleService(db, new RuleStore(db), new UpstreamStore(db), prefix -> false);
        rules.addUpstream(upstream.hostPort(), upstream.url(), null);
        rules.create("loopback-rule", upstream.hostPort() + "/*", "up/*", null, FreshnessPolicy.parse("revalidate"));
        client = new dev.cachalot.upstream.OkHttpUpstreamClient();
        backend = new PullThroughBackend(rules::ruleSet, new FileBlobStore(folder), index, client, e -> { },
                folder.root(), Long.MAX_VALUE, Clock.systemUTC());
        server = new RegistryServer(backend, limits);
        server.start("127.0.0.1", 0);
        reader = new RegistryReader(url());
    }

    String url() {
        return "http://127.0.0.1:" + server.port();
    }

    @Override
    public void close() {
        server.stop();
        backend.close();
        client.close();
        db.close();
        upstream.close();
    }
}
