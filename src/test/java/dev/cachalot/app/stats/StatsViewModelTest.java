package dev.cachalot.app.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cachalot.app.SharedRegistries;
import dev.cachalot.app.TestEngine;
import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Async;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.stats.PullEvent;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.RegistryReader;
import dev.cachalot.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The statistics model on the real engine: pulls are real manifest GETs through it from Debian's docker-registry. */
class StatsViewModelTest {
    private static DockerRegistryFixture upstream;

    @TempDir
    Path data;
    private Engine engine;
    private RegistryReader client;
    private StatsViewModel vm;

    @BeforeAll
    static void startUpstream() {
        upstream = SharedRegistries.open();
        TestImages images = new TestImages(3);
        upstream.pusher().push("stats/redis", "7", images.dockerImage());
        upstream.pusher().push("stats/hello-world", "latest", images.dockerImage());
    }


    @BeforeEach
    void open() {
        engine = TestEngine.open(data);
        engine.addUpstream(upstream.hostPort(), upstream.url(), null);
        engine.createRule(new RuleDraft("upstream-all", upstream.hostPort() + "/*", "up/*", null, null));
        engine.startServer("127.0.0.1:0");
        client = new RegistryReader("http://127.0.0.1:" + engine.port());
        vm = new StatsViewModel(new AppContext(engine, Async.direct(), data.toString()));
    }

    @AfterEach
    void close() {
        engine.close();
    }

    private void pull(String repository, String tag) {
        assertThat(client.manifest(repository, tag, TestImages.DOCKER_MANIFEST).status()).isEqualTo(200);
    }

    @Test
    void addsPullEventsAsTheyHappenAndUpdatesAggregates() {
        vm.activate();
        pull("up/stats/redis", "7");
        pull("up/stats/redis", "7");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(List.copyOf(vm.events())).hasSize(4);
            // the two manifest GETs, and the two image pulls they were (each shown once it ended)
            assertThat(List.copyOf(vm.events())).filteredOn(e -> e.kind() == PullEvent.Kind.MANIFEST).extracting(PullEvent::outcome)
                    .containsExactly(PullEvent.Outcome.HIT, PullEvent.Outcome.MISS);
            assertThat(List.copyOf(vm.events())).filteredOn(e -> e.kind() == PullEvent.Kind.IMAGE).extracting(PullEvent::outcome)
                    .containsExactly(PullEvent.Outcome.HIT, PullEvent.Outcome.MISS);
            assertThat(List.copyOf(vm.aggregates())).singleElement().satisfies(r -> {
                assertThat(r.pulls()).isEqualTo(2);
                assertThat(r.hits()).isEqualTo(1);
            });
        });
        vm.deactivate();
        pull("up/stats/redis", "7");
        engine.flushEvents(); // the third pull is stored and its listeners were called: none of them is the model
        assertThat(vm.events()).hasSize(4);
    }

    @Test
    void writesCsvWithAHeaderAndQuotesFieldsThatNeedIt() {
        PullEvent e = new PullEvent(Instant.parse("2026-11-29T10:00:00Z"), "library/nginx", "1.27", "sha256:ab",
                PullEvent.Kind.MANIFEST, PullEvent.Outcome.HIT, 1234, 0, 560, "127.0.0.1, proxy");
        String csv = StatsViewModel.toCsv(List.of(e));
        assertThat(csv.lines()).containsExactly(
                "time,repository,reference,digest,kind,outcome,bytes,upstream_bytes,duration_micros,client,error",
                "2026-11-29T10:00:00Z,library/nginx,1.27,sha256:ab,MANIFEST,HIT,1234,0,560,\"127.0.0.1, proxy\",");
    }

    @Test
    void exportsTheShownEventsToAFile(@TempDir Path dir) throws Exception {
        vm.activate();
        pull("up/stats/hello-world", "latest");
        await().atMost(Duration.ofSeconds(10)).until(() -> vm.events().size() == 1);
        Path file = dir.resolve("pulls.csv");
        vm.exportCsv(file);
        assertThat(Files.readAllLines(file)).hasSize(2).last().asString().contains("up/stats/hello-world,latest");
        assertThat(vm.noticeProperty().get()).contains("1 pull event");
    }
}
