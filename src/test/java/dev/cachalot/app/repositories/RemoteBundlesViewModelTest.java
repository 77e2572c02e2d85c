package dev.cachalot.app.repositories;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.api.ManagementAccess;
import dev.cachalot.api.ManagementApi;
import dev.cachalot.api.client.RemoteEngine;
import dev.cachalot.app.SharedRegistries;
import dev.cachalot.app.TestEngine;
import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Async;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.RepositoryView;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Repositories page's Export bundle… and Import bundle… when the app is connected to remote engines: the bundle
 * comes down from one engine's management API into a file on this machine and goes up into another's.
 */
class RemoteBundlesViewModelTest {
    private static final TestImage NGINX = new TestImages(66).dockerImage();

    @TempDir
    Path data;

    @Test
    void exportsFromOneRemoteEngineAndImportsIntoAnother() {
        DockerRegistryFixture upstream = SharedRegistries.open();
        upstream.pusher().push("library/nginx", "1.28", NGINX);
        try (Engine a = TestEngine.open(data.resolve("a")); Engine b = TestEngine.open(data.resolve("b"))) {
            a.addUpstream(upstream.hostPort(), upstream.url(), null);
            a.createRule(new RuleDraft("upstream-all", upstream.hostPort() + "/*", "up/*", null, null));
            a.prefetch("up/library/nginx", "1.28", bytes -> { });
            for (Engine e : List.of(a, b)) {
                e.serveManagementApi(new ManagementApi(e, ManagementAccess.loopbackOnly()));
                e.startServer("127.0.0.1:0");
            }
            Path bundle = data.resolve("nginx.tar");
            try (RemoteEngine remoteA = new RemoteEngine(URI.create("http://127.0.0.1:" + a.port()), null);
                 RemoteEngine remoteB = new RemoteEngine(URI.create("http://127.0.0.1:" + b.port()), null)) {
                RepositoriesViewModel onA = new RepositoriesViewModel(new AppContext(remoteA, Async.direct(), null));
                List<String> notices = new ArrayList<>();

                onA.exportBundle("up/library/nginx", "1.28", bundle, notices::add);

                assertThat(onA.errorProperty().get()).isEmpty();
                assertThat(notices).singleElement().satisfies(n -> assertThat(n).startsWith("Wrote nginx.tar: 1 tag(s), "));
                assertThat(bundle).exists();

                RepositoriesViewModel onB = new RepositoriesViewModel(new AppContext(remoteB, Async.direct(), null));
                onB.importBundle(bundle, text -> { });

                assertThat(onB.errorProperty().get()).isEmpty();
                assertThat(onB.progressTextProperty().get()).startsWith("Imported nginx.tar: 1 image(s), 1 tag(s), ");
                assertThat(onB.repositories()).extracting(RepositoryView::name).containsExactly("up/library/nginx");
                assertThat(b.tags("up/library/nginx")).singleElement().satisfies(t -> assertThat(t.digest()).isEqualTo(NGINX.digest()));
            }
        }
    }
}
