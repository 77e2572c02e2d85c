package dev.cachalot.app.stats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.app.FakeEngine;
import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Async;
import dev.cachalot.stats.PullEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatsViewModelTest {
    private final FakeEngine engine = new FakeEngine();
    private final StatsViewModel vm = new StatsViewModel(new AppContext(engine, Async.direct(), ""));

    @Test
    void addsPullEventsAsTheyHappenAndUpdatesAggregates() {
        vm.activate();
        engine.emitPull("library/redis", "7", PullEvent.Outcome.MISS, 100);
        engine.emitPull("library/redis", "7", PullEvent.Outcome.HIT, 100);
        assertThat(vm.events()).hasSize(2).extracting(PullEvent::outcome).containsExactly(PullEvent.Outcome.HIT, PullEvent.Outcome.MISS);
        assertThat(vm.aggregates()).singleElement().satisfies(r -> {
            assertThat(r.pulls()).isEqualTo(2);
            assertThat(r.hits()).isEqualTo(1);
        });
        vm.deactivate();
        engine.emitPull("library/redis", "7", PullEvent.Outcome.HIT, 100);
        assertThat(vm.events()).hasSize(2);
    }

    @Test
    void writesCsvWithAHeaderAndQuotesFieldsThatNeedIt() {
        PullEvent e = new PullEvent(Instant.parse("2026-11-29T10:00:00Z"), "library/nginx", "1.27", "sha256:ab",
                PullEvent.Kind.MANIFEST, PullEvent.Outcome.HIT, 1234, 0, 560, "127.0.0.1, proxy");
        String csv = StatsViewModel.toCsv(List.of(e));
        assertThat(csv.lines()).containsExactly(
                "time,repository,reference,digest,kind,outcome,bytes,upstream_bytes,duration_micros,client",
                "2026-11-29T10:00:00Z,library/nginx,1.27,sha256:ab,MANIFEST,HIT,1234,0,560,\"127.0.0.1, proxy\"");
    }

    @Test
    void exportsTheShownEventsToAFile(@TempDir Path dir) throws Exception {
        vm.activate();
        engine.emitPull("hello-world", "latest", PullEvent.Outcome.MISS, 13256);
        Path file = dir.resolve("pulls.csv");
        vm.exportCsv(file);
        assertThat(Files.readAllLines(file)).hasSize(2);
        assertThat(vm.noticeProperty().get()).contains("1 pull event");
    }
}
