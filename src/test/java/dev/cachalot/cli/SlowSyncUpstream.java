package dev.cachalot.cli;

import dev.cachalot.testing.CountingProxy;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.Fault;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A sync that is under way when a test stops its process: a docker-registry holding one image ({@code team/app:1})
 * behind a proxy that holds the first blob GET back for a while, and a data folder whose rule {@link #RULE} syncs that
 * repository through the proxy.
 */
final class SlowSyncUpstream implements AutoCloseable {

    static final String RULE = "app-sync";

    private final DockerRegistryFixture registry;
    private final CountingProxy proxy;
    private final TestImage image;

    private SlowSyncUpstream(DockerRegistryFixture registry, CountingProxy proxy, TestImage image) {
        this.registry = registry;
        this.proxy = proxy;
        this.image = image;
    }

    /** Starts both servers and creates the upstream and the rule in {@code data}; the first blob GET waits {@code hold}. */
    static SlowSyncUpstream start(int imageSeed, Duration hold, Path data) throws Exception {
        DockerRegistryFixture registry = DockerRegistryFixture.start();
        CountingProxy proxy = null;
        try {
            TestImage image = new TestImages(imageSeed).ociImage();
            new RegistryPusher(registry.url()).push("team/app", "1", image);
            proxy = CountingProxy.start(registry.url());
            proxy.inject(Fault.delay(hold).onlyFor("GET", ".*/blobs/.*"), 1);
            Cli cli = new Cli(data);
            cli.run("upstream", "add", "--login-server", proxy.hostPort(), "--endpoint", proxy.url()).succeeded();
            cli.run("rules", "create", "--name", RULE, "--source", proxy.hostPort() + "/team/app", "--target", "app").succeeded();
            return new SlowSyncUpstream(registry, proxy, image);
        } catch (Exception | Error e) {
            if (proxy != null) proxy.close();
            registry.close();
            throw e;
        }
    }

    TestImage image() {
        return image;
    }

    /** The proxy the rule pulls through, which counts the requests it passed on. */
    CountingProxy proxy() {
        return proxy;
    }

    @Override
    public void close() {
        proxy.close();
        registry.close();
    }
}
