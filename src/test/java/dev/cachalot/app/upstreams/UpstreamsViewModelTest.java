package dev.cachalot.app.upstreams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.app.SharedRegistries;
import dev.cachalot.app.TestEngine;
import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Async;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.rules.Upstream;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.Ports;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Upstreams page and the custom registry form without a window, on the real engine and a loopback registry. */
class UpstreamsViewModelTest {
    @TempDir
    Path data;
    private Engine engine;
    private AppContext context;
    private DockerRegistryFixture registry;

    @BeforeEach
    void open() {
        registry = SharedRegistries.open();
        engine = TestEngine.open(data);
        context = new AppContext(engine, Async.direct(), data.toString());
    }

    @AfterEach
    void close() {
        engine.close();
    }

    @Test
    void endpointsAreCheckedAsTypedBeforeTheEngineIsAsked() {
        assertThat(CustomRegistryViewModel.endpointProblem("")).contains("Enter the registry's endpoint");
        assertThat(CustomRegistryViewModel.endpointProblem("registry.lan:5000")).contains("https://");
        assertThat(CustomRegistryViewModel.endpointProblem("https://registry.lan:5000/v2")).contains("Leave out the path");
        assertThat(CustomRegistryViewModel.endpointProblem("https://registry.lan:5000")).isEmpty();
    }

    @Test
    void showingThePageChecksCustomUpstreamsButNotTheCatalog() {
        engine.addUpstream(registry.hostPort(), registry.url(), null);
        UpstreamsViewModel vm = new UpstreamsViewModel(context);

        vm.activate();
        vm.deactivate();

        assertThat(vm.rows()).anySatisfy(r -> {
            assertThat(r.upstream().loginServer()).isEqualTo(registry.hostPort());
            assertThat(r.health()).isEqualTo("Healthy (anonymous)");
        });
        assertThat(vm.rows()).filteredOn(r -> r.upstream().builtIn()).isNotEmpty()
                .allSatisfy(r -> assertThat(r.health()).isEqualTo("Not checked"));
    }

    @Test
    void removingAnUpstreamARuleUsesIsRefusedWithTheRuleName() {
        engine.addUpstream(registry.hostPort(), registry.url(), null);
        engine.createRule(new RuleDraft("team-images", registry.hostPort() + "/team/*", "team/*", null, null));
        UpstreamsViewModel vm = new UpstreamsViewModel(context);
        vm.refresh();
        UpstreamRow row = vm.rows().stream().filter(r -> r.upstream().loginServer().equals(registry.hostPort())).findFirst().orElseThrow();

        vm.remove(row);

        assertThat(vm.errorProperty().get()).contains("team-images");
        assertThat(engine.upstreams()).anySatisfy(u -> assertThat(u.loginServer()).isEqualTo(registry.hostPort()));
    }

    @Test
    void editingAnUpstreamMovesItsEndpointAndKeepsItsLoginServer() {
        Upstream before = engine.addUpstream("registry.lan:8080", "http://127.0.0.1:" + Ports.free(), null);
        CustomRegistryViewModel form = new CustomRegistryViewModel(context, before);
        form.endpointProperty().set(registry.url());
        form.testConnection();
        assertThat(form.testResultProperty().get()).isEqualTo("Reachable anonymously");
        AtomicReference<Upstream> saved = new AtomicReference<>();

        form.save(saved::set);

        assertThat(form.errorProperty().get()).isEmpty();
        assertThat(saved.get().loginServer()).isEqualTo("registry.lan:8080");
        assertThat(engine.upstreams()).filteredOn(u -> u.loginServer().equals("registry.lan:8080"))
                .singleElement().satisfies(u -> assertThat(u.endpoint().toString()).startsWith(registry.url()));
    }

    @Test
    void aCaFileThatIsNoCertificateIsRefusedWithItsName() throws Exception {
        Path notPem = java.nio.file.Files.writeString(data.resolve("ca.txt"), "hello");
        CustomRegistryViewModel form = new CustomRegistryViewModel(context);
        form.endpointProperty().set("https://127.0.0.1:" + Ports.free());
        form.caFileProperty().set(notPem.toString());

        form.testConnection();

        assertThat(form.errorProperty().get()).contains("ca.txt").contains("not a PEM certificate");
    }
}
