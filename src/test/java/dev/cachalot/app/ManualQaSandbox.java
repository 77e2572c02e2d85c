package dev.cachalot.app;

import dev.cachalot.engine.Engine;
import dev.cachalot.engine.EngineSettings;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.Ports;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Not a test: a sandbox for looking at the real app by hand. Starts two Debian docker-registry upstreams on
 * loopback (one open, one with htpasswd {@code qa-user}/{@code qa-secret-pw}), pushes a few images, prepares a
 * data folder whose engine listens on a free port and knows both upstreams, prints what to run and waits until killed.
 *
 * <pre>java -cp target/test-classes:target/classes:$(cat cp.txt) dev.cachalot.app.ManualQaSandbox /tmp/qa-data</pre>
 */
public final class ManualQaSandbox {
    private ManualQaSandbox() {
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args.length > 0 ? args[0] : Files.createTempDirectory("cachalot-qa-").toString());
        DockerRegistryFixture open = DockerRegistryFixture.start();
        DockerRegistryFixture locked = DockerRegistryFixture.builder().htpasswd("qa-user", "qa-secret-pw").start();
        TestImages images = new TestImages(42);
        RegistryPusher pusher = new RegistryPusher(open.url());
        pusher.push("team/web", "1.4", images.dockerImage());
        pusher.push("team/web", "1.5", images.dockerImage());
        pusher.push("team/api", "2.0", images.ociIndex());
        pusher.push("library/alpine", "3.19", images.ociImage());
        TestImage big = images.ociImageWithBigLayer(data.resolveSibling(data.getFileName() + "-blobs"), 200);
        pusher.push("team/big", "1.0", big);
        new RegistryPusher(locked.url()).withBasicAuth("qa-user", "qa-secret-pw").push("private/app", "1.0", images.dockerImage());

        int port = Ports.free();
        try (Engine engine = Engine.open(new DataFolder(data))) {
            engine.updateSettings(new EngineSettings("127.0.0.1:" + port, "revalidate", 0));
            engine.addUpstream(open.hostPort(), open.url(), null);
            engine.addUpstream(locked.hostPort(), locked.url(), null);
        }
        System.out.println("DATA=" + data);
        System.out.println("ENGINE=127.0.0.1:" + port);
        System.out.println("OPEN=" + open.hostPort());
        System.out.println("LOCKED=" + locked.hostPort());
        System.out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            open.close();
            locked.close();
        }));
        Thread.sleep(Long.MAX_VALUE);
    }
}
