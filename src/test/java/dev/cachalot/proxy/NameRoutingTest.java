package dev.cachalot.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.oci.Digest;
import dev.cachalot.oci.RepositoryName;
import dev.cachalot.rules.CacheRule;
import dev.cachalot.rules.FreshnessPolicy;
import dev.cachalot.rules.RuleSet;
import dev.cachalot.rules.UpstreamCatalog;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.storage.Database;
import dev.cachalot.storage.JdbcMetadataStore;
import dev.cachalot.storage.RepositoryKind;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NameRoutingTest {

    @TempDir
    Path dir;
    private Database database;
    private JdbcMetadataStore index;
    private NameRouting routing;

    @BeforeEach
    void setUp() {
        database = Database.open(new DataFolder(dir));
        index = new JdbcMetadataStore(database);
        CacheRule hub = new CacheRule("hub-library", "docker.io/library/*", "hub/*", "dockerhub", FreshnessPolicy.REVALIDATE,
                Instant.EPOCH, CacheRule.ProvisioningState.Succeeded);
        RuleSet rules = new RuleSet(List.of(hub), new UpstreamCatalog(List.of()));
        routing = new NameRouting(() -> rules, index);
    }

    @AfterEach
    void tearDown() {
        database.close();
    }

    @Test
    void aDockerMirrorPathIsServedByTheRuleWhoseSourceCoversIt() {
        assertThat(routing.forPull(RepositoryName.of("library/nginx"), null))
                .hasValueSatisfying(r -> assertThat(r.localName().value()).isEqualTo("hub/nginx"));
    }

    @Test
    void aLocalRepositoryKeepsItsNameWhenARuleWouldTakeItOverAsADockerHubPath() {
        index.putManifest(RepositoryName.of("library/myapp"), RepositoryKind.LOCAL, null,
                Digest.parse("sha256:" + "a".repeat(64)), "application/vnd.oci.image.manifest.v1+json", 10, null, null);
        assertThat(routing.forPull(RepositoryName.of("library/myapp"), null)).isEmpty();
        assertThat(routing.forPull(RepositoryName.of("library/myapp"), "docker.io")).isPresent();
    }

    @Test
    void pushesAreRefusedOnlyWhereARuleTargetCoversTheName() {
        assertThat(routing.forPush(RepositoryName.of("library/newapp"), null)).isEmpty();
        assertThat(routing.forPush(RepositoryName.of("hub/nginx"), null)).isPresent();
    }
}
