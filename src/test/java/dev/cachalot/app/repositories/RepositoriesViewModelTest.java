package dev.cachalot.app.repositories;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.app.FakeEngine;
import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Async;
import dev.cachalot.engine.RepositoryView;
import org.junit.jupiter.api.Test;

class RepositoriesViewModelTest {
    private final FakeEngine engine = new FakeEngine().withRepository("library/nginx", "1.27", 72_000_000)
            .withRepository("hello-world", "latest", 13_256);
    private final RepositoriesViewModel vm = new RepositoriesViewModel(new AppContext(engine, Async.direct(), ""));

    @Test
    void filtersRepositoriesByName() {
        vm.refresh();
        vm.filterProperty().set("nginx");
        assertThat(vm.repositories()).extracting(RepositoryView::name).containsExactly("library/nginx");
    }

    @Test
    void showsTagsThenManifestAndLayersOfTheSelection() {
        vm.refresh();
        vm.selectRepository("library/nginx");
        assertThat(vm.tags()).singleElement().satisfies(t -> assertThat(t.tag()).isEqualTo("1.27"));
        vm.selectTag(vm.tags().get(0));
        assertThat(vm.manifestJsonProperty().get()).contains("\"schemaVersion\": 2");
        assertThat(vm.layers()).hasSize(2);
    }

    @Test
    void pullCommandUsesTheEnginesAddress() {
        engine.startServer("127.0.0.1:5123");
        assertThat(vm.pullCommand("library/nginx", "1.27")).isEqualTo("docker pull 127.0.0.1:5123/library/nginx:1.27");
    }

    @Test
    void prefetchReportsBytesAndAddsTheRepository() {
        vm.prefetch("library/alpine", "3.20");
        assertThat(vm.pullingProperty().get()).isFalse();
        assertThat(vm.progressTextProperty().get()).isEqualTo("library/alpine:3.20 is in the cache.");
        assertThat(vm.repositories()).extracting(RepositoryView::name).contains("library/alpine");
    }

    @Test
    void deletingARepositoryAsksTheEngineAndRefreshes() {
        vm.refresh();
        vm.deleteRepository("hello-world");
        assertThat(vm.repositories()).extracting(RepositoryView::name).containsExactly("library/nginx");
    }

    @Test
    void progressSaysBytesOfTotalWithPercentOnceTheTotalIsKnown() {
        assertThat(RepositoriesViewModel.progressText("team/app:1.0", 12L << 20, 48L << 20))
                .isEqualTo("Pulling team/app:1.0 — 12.0 MiB of 48.0 MiB (25 %)");
        assertThat(RepositoriesViewModel.progressText("team/app:1.0", 2048, -1)).isEqualTo("Pulling team/app:1.0 — 2.0 KiB");
    }
}
