package dev.cachalot.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.credentials.Keyring;
import dev.cachalot.credentials.PassphrasePrompt;
import dev.cachalot.credentials.VaultOptions;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.EngineOptions;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.storage.PostgresSettings;
import dev.cachalot.storage.PostgresTestDatabases;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.PostgresServer;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.RegistryReader;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Not part of the suite (its name matches no test pattern; run it with {@code -Dtest=MetadataCostProbe}): what a
 * manifest GET by tag on a warm cache costs the metadata database, for docs/scaling.md. Counts the statements
 * PostgreSQL logs ({@code log_statement = all}) during N warm pulls, and times the pulls over loopback HTTP on H2 and on
 * PostgreSQL. Prints its figures; asserts only that the pulls succeed.
 */
class MetadataCostProbe {
    private static final VaultOptions NO_PASSPHRASE =
            new VaultOptions(name -> null, Keyring.NONE, PassphrasePrompt.NONE, VaultOptions.MIN_ITERATIONS);
    private static final int WARMUP = 2_000;
    private static final int MEASURED = 2_000;
    private static final Pattern LOGGED = Pattern.compile("LOG:  (?:execute [^:]*|statement): (.*)");

    @TempDir
    Path temp;

    @Test
    void manifestGetByTagOnAWarmCache() throws Exception {
        try (DockerRegistryFixture upstream = DockerRegistryFixture.start()) {
            TestImage image = new TestImages(3).dockerImage();
            new RegistryPusher(upstream.url()).push("team/app", "v1", image);

            double[] h2 = pulls(upstream, EngineOptions.withVault(NO_PASSPHRASE), temp.resolve("h2"), null);

            PostgresSettings database = PostgresTestDatabases.migrated();
            String name = database.url().substring(database.url().lastIndexOf('/') + 1);
            try (Connection admin = PostgresServer.shared().admin(); Statement s = admin.createStatement()) {
                s.execute("ALTER DATABASE " + name + " SET log_statement = 'all'");
            }
            double[] pg = pulls(upstream, EngineOptions.withVault(NO_PASSPHRASE).withSharedDatabase(database),
                    temp.resolve("pg"), PostgresServer.shared());
            System.out.printf("manifest GET by tag, warm, one client, %d pulls: H2 median %.0f us p99 %.0f us;"
                    + " PostgreSQL median %.0f us p99 %.0f us%n", MEASURED, h2[0], h2[1], pg[0], pg[1]);
        }
    }

    /** Median and p99 of {@link #MEASURED} warm pulls in microseconds; with a server, prints its statement counts. */
    private double[] pulls(DockerRegistryFixture upstream, EngineOptions options, Path folder, PostgresServer server)
            throws Exception {
        try (Engine engine = Engine.open(folder, options)) {
            engine.addUpstream(upstream.hostPort(), upstream.url(), null);
            engine.createRule(new RuleDraft("app-rule", upstream.hostPort() + "/team/app", "app", null, "ttl:1h"));
            engine.startServer("127.0.0.1:0");
            RegistryReader cache = new RegistryReader("http://" + engine.status().address());
            for (int i = 0; i < WARMUP; i++) {
                assertThat(cache.manifest("app", "v1", TestImages.DOCKER_MANIFEST).status()).isEqualTo(200);
            }
            Thread.sleep(2_000); // the pull-event writer's batches of the warm-up are in
            long logFrom = server == null ? 0 : Files.size(server.log());
            long[] nanos = new long[MEASURED];
            for (int i = 0; i < MEASURED; i++) {
                long t0 = System.nanoTime();
                int status = cache.manifest("app", "v1", TestImages.DOCKER_MANIFEST).status();
                nanos[i] = System.nanoTime() - t0;
                assertThat(status).isEqualTo(200);
            }
            Thread.sleep(2_000);
            if (server != null) {
                Map<String, Integer> statements = new TreeMap<>();
                String log = Files.readString(server.log());
                Matcher m = LOGGED.matcher(log.substring((int) logFrom));
                int total = 0;
                while (m.find()) {
                    String sql = m.group(1);
                    statements.merge(sql.length() > 90 ? sql.substring(0, 90) : sql, 1, Integer::sum);
                    total++;
                }
                System.out.printf("PostgreSQL statements during %d warm pulls: %d (%.2f per pull)%n", MEASURED, total,
                        total / (double) MEASURED);
                statements.forEach((sql, n) -> System.out.printf("  %6d  %s%n", n, sql));
            }
            Arrays.sort(nanos);
            return new double[]{nanos[MEASURED / 2] / 1000.0, nanos[MEASURED * 99 / 100] / 1000.0};
        }
    }
}
