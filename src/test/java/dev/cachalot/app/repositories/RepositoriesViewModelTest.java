package dev.cachalot.app.repositories;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.app.SharedRegistries;
import dev.cachalot.app.TestEngine;
import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Async;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.ManifestView;
import dev.cachalot.engine.RepositoryView;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Repositories model on the real engine, its cache filled by prefetches from Debian's docker-registry. */
class RepositoriesViewModelTest {
    private static final TestImages IMAGES = new TestImages(5);
    private static final TestImage NGINX = IMAGES.dockerImage();
    private static DockerRegistryFixture upstream;

    @TempDir
    Path data;
    private Engine engine;
    private RepositoriesViewModel vm;

    @BeforeAll
    static void startUpstream() {
        upstream = SharedRegistries.open();
        upstream.pusher().push("library/nginx", "1.27", NGINX);
        upstream.pusher().push("hello-world", "latest", IMAGES.ociImage());
        upstream.pusher().push("library/alpine", "3.20", IMAGES.ociIndex());
    }


    @BeforeEach
    void open() {
        engine = TestEngine.open(data);
        engine.addUpstream(upstream.hostPort(), upstream.url(), null);
        engine.createRule(new RuleDraft("upstream-all", upstream.hostPort() + "/*", "up/*", null, null));
        engine.prefetch("up/library/nginx", "1.27", bytes -> { });
        engine.prefetch("up/hello-world", "latest", bytes -> { });
        vm = new RepositoriesViewModel(new AppContext(engine, Async.direct(), data.toString()));
    }

    @AfterEach
    void close() {
        engine.close();
    }

    @Test
    void filtersRepositoriesByName() {
        vm.refresh();
        vm.filterProperty().set("nginx");
        assertThat(vm.repositories()).extracting(RepositoryView::name).containsExactly("up/library/nginx");
    }

    @Test
    void showsTagsThenManifestAndLayersOfTheSelection() {
        vm.refresh();
        vm.selectRepository("up/library/nginx");
        assertThat(vm.tags()).singleElement().satisfies(t -> assertThat(t.tag()).isEqualTo("1.27"));
        vm.selectTag(vm.tags().get(0));
        assertThat(vm.manifestJsonProperty().get()).containsPattern("\"schemaVersion\"\\s*:\\s*2").contains(NGINX.layers().get(0).digest());
        // the blobs of the image as the page lists them: its config, then its layers, each cached by the prefetch
        assertThat(vm.layers()).extracting(ManifestView.Layer::digest).containsExactly(NGINX.config().digest(),
                NGINX.layers().get(0).digest(), NGINX.layers().get(1).digest());
        assertThat(vm.layers()).allSatisfy(l -> assertThat(l.cached()).isTrue());
    }

    @Test
    void pullCommandUsesTheEnginesAddress() {
        engine.startServer("127.0.0.1:0");
        assertThat(vm.pullCommand("library/nginx", "1.27")).isEqualTo("docker pull 127.0.0.1:" + engine.port() + "/library/nginx:1.27");
    }

    @Test
    void prefetchReportsBytesAndAddsTheRepository() {
        vm.prefetch("up/library/alpine", "3.20");
        assertThat(vm.errorProperty().get()).isEmpty();
        assertThat(vm.pullingProperty().get()).isFalse();
        assertThat(vm.progressTextProperty().get()).isEqualTo("up/library/alpine:3.20 is in the cache.");
        assertThat(vm.repositories()).extracting(RepositoryView::name).contains("up/library/alpine");
    }

    @Test
    void deletingARepositoryAsksTheEngineAndRefreshes() {
        vm.refresh();
        vm.deleteRepository("up/hello-world");
        assertThat(vm.repositories()).extracting(RepositoryView::name).containsExactly("up/library/nginx");
    }

    @Test
    void exportsABundleThatAnotherCacheImports() {
        Path bundle = data.resolve("nginx.tar");
        java.util.List<String> notices = new java.util.ArrayList<>();

        vm.exportBundle("up/library/nginx", "semver:>=1.27", bundle, notices::add);

        assertThat(vm.errorProperty().get()).isEmpty();
        assertThat(vm.pullingProperty().get()).isFalse();
        assertThat(vm.progressTextProperty().get()).startsWith("Wrote nginx.tar: 1 tag(s), ").endsWith(".");
        assertThat(notices).containsExactly(vm.progressTextProperty().get());
        try (Engine other = TestEngine.open(data.resolve("other"))) {
            RepositoriesViewModel otherVm = new RepositoriesViewModel(new AppContext(other, Async.direct(), data.toString()));

            otherVm.importBundle(bundle, text -> { });

            assertThat(otherVm.errorProperty().get()).isEmpty();
            assertThat(otherVm.progressTextProperty().get()).startsWith("Imported nginx.tar: 1 image(s), 1 tag(s), ");
            assertThat(otherVm.repositories()).extracting(RepositoryView::name).containsExactly("up/library/nginx");
            assertThat(other.tags("up/library/nginx")).singleElement().satisfies(t -> assertThat(t.digest()).isEqualTo(NGINX.digest()));
        }
    }

    @Test
    void aBadTagFilterOrAHostileBundleIsShownAsAnError() throws Exception {
        vm.exportBundle("up/library/nginx", "re:((", data.resolve("x.tar"), text -> { });
        assertThat(vm.errorProperty().get()).contains("not a valid regular expression");
        assertThat(data.resolve("x.tar")).doesNotExist();

        Path hostile = java.nio.file.Files.write(data.resolve("hostile.tar"),
                dev.cachalot.bundle.BundleArchive.of(NGINX, "evil/app:1").file("/etc/evil", new byte[] {1}).bytes());
        vm.importBundle(hostile, text -> { });
        assertThat(vm.errorProperty().get()).contains("entry '/etc/evil' is an absolute path");
        assertThat(vm.pullingProperty().get()).isFalse();
    }

    @Test
    void progressSaysBytesOfTotalWithPercentOnceTheTotalIsKnown() {
        assertThat(RepositoriesViewModel.progressText("team/app:1.0", 12L << 20, 48L << 20))
                .isEqualTo("Pulling team/app:1.0 — 12.0 MiB of 48.0 MiB (25 %)");
        assertThat(RepositoriesViewModel.progressText("team/app:1.0", 2048, -1)).isEqualTo("Pulling team/app:1.0 — 2.0 KiB");
    }
}
