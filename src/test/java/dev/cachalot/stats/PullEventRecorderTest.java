package dev.cachalot.stats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.oci.Digest;
import dev.cachalot.oci.RepositoryName;
import dev.cachalot.stats.PullEvent.Kind;
import dev.cachalot.stats.PullEvent.Outcome;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.storage.Database;
import dev.cachalot.storage.JdbcMetadataStore;
import dev.cachalot.storage.RepositoryKind;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class PullEventRecorderTest {

    static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");

    @TempDir
    Path root;

    Database db;

    /** The database under test: the data folder's H2 here; a subclass runs the same tests on PostgreSQL. */
    Database openDatabase() {
        return Database.open(new DataFolder(root));
    }

    @BeforeEach
    void setUp() {
        db = openDatabase();
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    /** A blob GET outside any image pull: stored as it is, with no image pull made of it. */
    static PullEvent event(int n) {
        return new PullEvent(T0.plusMillis(n), "library/nginx", "tag" + n, null, Kind.BLOB, Outcome.HIT, n, 0, 10, "127.0.0.1");
    }

    long storedEvents() {
        return db.query(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM pull_events")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Test
    void flushWaitsUntilEverythingRecordedIsStored() {
        try (PullEventRecorder recorder = new PullEventRecorder(db)) {
            for (int i = 0; i < 2_500; i++) {
                recorder.record(event(i));
            }

            recorder.flush();

            assertThat(storedEvents()).isEqualTo(2_500);
            assertThat(recorder.dropped()).isZero();
        }
    }

    @Test
    void closeStoresWhatIsQueuedAndDropsLaterEvents() {
        PullEventRecorder recorder = new PullEventRecorder(db);
        for (int i = 0; i < 100; i++) {
            recorder.record(event(i));
        }

        recorder.close();
        recorder.record(event(1000));
        recorder.close();

        assertThat(storedEvents()).isEqualTo(100);
        assertThat(recorder.dropped()).isEqualTo(1);
    }

    @Test
    void listenerHearsEventOnlyOnceItCanBeQueried() throws Exception {
        List<Long> storedWhenHeard = Collections.synchronizedList(new ArrayList<>());
        List<PullEvent> heard = Collections.synchronizedList(new ArrayList<>());
        try (PullEventRecorder recorder = new PullEventRecorder(db);
             AutoCloseable subscription = recorder.onEvent(e -> {
                 heard.add(e);
                 storedWhenHeard.add(storedEvents());
             })) {
            recorder.record(event(1));
            recorder.record(event(2));
            recorder.flush();

            assertThat(heard).containsExactly(event(1), event(2));
            assertThat(storedWhenHeard).allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(1));
            assertThat(storedWhenHeard.get(1)).isEqualTo(2);

            subscription.close();
            recorder.record(event(3));
            recorder.flush();
            assertThat(heard).hasSize(2);
        }
    }

    @Test
    @Timeout(60) // guards against a deadlock, not a speed requirement
    void listenerMayCallFlushWithoutDeadlock() {
        try (PullEventRecorder recorder = new PullEventRecorder(db)) {
            recorder.onEvent(e -> recorder.flush());
            recorder.record(event(1));
            recorder.flush();
            recorder.record(event(2));
            recorder.flush();

            assertThat(storedEvents()).isEqualTo(2);
        }
    }

    @Test
    void failingListenerDoesNotStopRecording() {
        try (PullEventRecorder recorder = new PullEventRecorder(db)) {
            recorder.onEvent(e -> {
                throw new IllegalStateException("listener bug");
            });
            recorder.record(event(1));
            recorder.record(event(2));
            recorder.flush();

            assertThat(storedEvents()).isEqualTo(2);
        }
    }

    @Test
    void fullQueueDropsAndCountsInsteadOfBlocking() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch writerBusy = new CountDownLatch(1);
        try (PullEventRecorder recorder = new PullEventRecorder(db, 5)) {
            // Hold the writer thread inside a listener so the queue fills up behind it.
            recorder.onEvent(e -> {
                writerBusy.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            });
            recorder.record(event(0));
            assertThat(writerBusy.await(30, TimeUnit.SECONDS)).isTrue();

            for (int i = 1; i <= 8; i++) {
                recorder.record(event(i));
            }

            assertThat(recorder.dropped()).isEqualTo(3);
            release.countDown();
            recorder.flush();
            assertThat(storedEvents()).isEqualTo(6);
        }
    }

    @Test
    void overlongFieldsAreClippedRatherThanLosingTheBatch() {
        try (PullEventRecorder recorder = new PullEventRecorder(db)) {
            recorder.record(new PullEvent(T0, "a/b", "x".repeat(500), null, Kind.BLOB, Outcome.FAILED, 0, 0, 1,
                    "c".repeat(100)));
            recorder.record(event(1));
            recorder.flush();

            assertThat(storedEvents()).isEqualTo(2);
            assertThat(recorder.failed()).isZero();
        }
    }

    @Test
    void batchListenersSeeStoredEventsBeforeEventListenersAndBeforeFlushReturns() {
        List<String> heard = Collections.synchronizedList(new ArrayList<>());
        try (PullEventRecorder recorder = new PullEventRecorder(db)) {
            recorder.onBatch(batch -> heard.add("batch of " + batch.size() + ", stored " + storedEvents()));
            recorder.onEvent(e -> heard.add("event " + e.reference()));
            recorder.record(event(1));
            recorder.flush();

            assertThat(heard).containsExactly("batch of 1, stored 1", "event tag1");
        }
    }

    @Test
    void failingBatchListenerDoesNotStopEventListeners() {
        List<String> heard = Collections.synchronizedList(new ArrayList<>());
        try (PullEventRecorder recorder = new PullEventRecorder(db)) {
            recorder.onBatch(batch -> {
                throw new IllegalStateException("counters unavailable");
            });
            recorder.onEvent(e -> heard.add(e.reference()));
            recorder.record(event(1));
            recorder.record(event(2));
            recorder.flush();

            assertThat(heard).containsExactly("tag1", "tag2");
            assertThat(storedEvents()).isEqualTo(2);
        }
    }

    @Test
    void theRequestsOfAnImagePullAreStoredAsTheyComeAndThePullOnceItIsIdle() {
        List<PullEvent> heard = Collections.synchronizedList(new ArrayList<>());
        try (PullEventRecorder recorder = new PullEventRecorder(db, 100, java.time.Duration.ofMillis(300), java.time.Clock.systemUTC())) {
            recorder.onEvent(heard::add);
            String digest = "sha256:" + "1".repeat(64);
            recorder.record(new PullEvent(T0, "library/nginx", "1.27", digest, Kind.HEAD, Outcome.MISS, 0, 500, 10, "127.0.0.1"));
            recorder.record(new PullEvent(T0, "library/nginx", digest, digest, Kind.MANIFEST, Outcome.HIT, 500, 0, 10, "127.0.0.1"));

            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> heard.stream().anyMatch(e -> e.kind() == Kind.IMAGE));

            assertThat(heard).extracting(PullEvent::kind).containsExactly(Kind.MANIFEST, Kind.IMAGE);
            assertThat(heard.get(1)).satisfies(image -> {
                assertThat(image.reference()).isEqualTo("1.27");
                assertThat(image.outcome()).isEqualTo(Outcome.MISS);
            });
            assertThat(storedEvents()).as("the HEAD is not stored; the GET and the image pull are").isEqualTo(2);
        }
    }

    @Test
    void flushEndsTheOpenImagePulls() {
        try (PullEventRecorder recorder = new PullEventRecorder(db)) {
            recorder.record(new PullEvent(T0, "library/nginx", "1.27", "sha256:" + "1".repeat(64), Kind.MANIFEST, Outcome.HIT,
                    500, 0, 10, "127.0.0.1"));

            recorder.flush();

            assertThat(new PullStatistics(db).totals(null).pulls()).isEqualTo(1);
        }
    }

    @Test
    void storeQueuedStoresTheRequestsAtOnceAndLeavesTheImagePullOpen() {
        try (PullEventRecorder recorder = new PullEventRecorder(db)) {
            recorder.record(new PullEvent(T0, "library/nginx", "1.27", "sha256:" + "1".repeat(64), Kind.MANIFEST, Outcome.HIT,
                    500, 0, 10, "127.0.0.1"));

            recorder.storeQueued();

            assertThat(storedEvents()).as("the manifest GET, not gathering any more").isEqualTo(1);
            assertThat(new PullStatistics(db).totals(null).pulls()).as("the image pull is still open").isZero();
            recorder.flush();
            assertThat(new PullStatistics(db).totals(null).pulls()).isEqualTo(1);
        }
    }

    @Test
    void theStoredImagePullsAddToThePullCountersOfTheirRepositoryTagAndManifest() {
        JdbcMetadataStore index = new JdbcMetadataStore(db);
        RepositoryName nginx = RepositoryName.of("library/nginx");
        Digest digest = Digest.parse("sha256:" + "1".repeat(64));
        index.putManifest(nginx, RepositoryKind.CACHED, null, digest, "application/vnd.oci.image.manifest.v1+json", 500, null, null);
        index.putTag(nginx, "1.27", digest, T0);
        try (PullEventRecorder recorder = new PullEventRecorder(db)) {
            recorder.record(new PullEvent(T0, "library/nginx", "1.27", digest.toString(), Kind.MANIFEST, Outcome.HIT,
                    500, 0, 10, "127.0.0.1"));

            recorder.flush();

            assertThat(index.tag(nginx, "1.27").orElseThrow().pullCount()).isEqualTo(1);
            assertThat(index.manifest(nginx, digest).orElseThrow().pullCount()).isEqualTo(1);
            assertThat(index.repository(nginx).orElseThrow().pullCount()).isEqualTo(1);
        } finally {
            index.close();
        }
    }
}
