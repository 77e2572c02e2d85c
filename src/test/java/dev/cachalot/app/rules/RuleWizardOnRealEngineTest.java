package dev.cachalot.app.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Async;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.rules.CacheRule;
import dev.cachalot.storage.DataFolder;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The wizard's view model on the real engine: its validation messages land under the right fields. */
class RuleWizardOnRealEngineTest {
    @TempDir
    Path data;
    private Engine engine;
    private RuleWizardViewModel vm;

    @BeforeEach
    void open() {
        engine = Engine.open(new DataFolder(data));
        engine.createRule(new RuleDraft("quay-all", "quay.io/prometheus/*", "prom/*", null, null));
        vm = new RuleWizardViewModel(new AppContext(engine, Async.direct(), data.toString()));
        vm.load();
        vm.upstreamProperty().set(vm.upstreams().stream().filter(u -> u.loginServer().equals("quay.io")).findFirst().orElseThrow());
        vm.authChoiceProperty().set(RuleWizardViewModel.AuthChoice.ANONYMOUS);
    }

    @AfterEach
    void close() {
        engine.close();
    }

    @Test
    void showsTheEnginesOverlapReasonUnderTheTarget() {
        vm.pathProperty().set("prometheus/node");
        vm.wildcardProperty().set(true);
        vm.targetProperty().set("prom/node/*");
        assertThat(vm.targetErrorProperty().get()).contains("quay-all");
        assertThat(vm.pathErrorProperty().get()).isEmpty();
        assertThat(vm.targetStepValid().get()).isFalse();
    }

    @Test
    void showsAnInvalidRuleNameUnderTheName() {
        vm.pathProperty().set("coreos/etcd");
        vm.nameProperty().set("ab");
        assertThat(vm.nameErrorProperty().get()).contains("5 to 50");
        assertThat(vm.targetErrorProperty().get()).isEmpty();
    }

    @Test
    void createsANormalizedRule() {
        vm.pathProperty().set("coreos/etcd");
        assertThat(vm.targetStepValid().get()).isTrue();
        AtomicReference<CacheRule> created = new AtomicReference<>();
        AtomicReference<String> failed = new AtomicReference<>();
        vm.finish(created::set, failed::set);
        assertThat(failed.get()).isNull();
        assertThat(created.get().sourceRepository()).isEqualTo("quay.io/coreos/etcd");
        assertThat(created.get().targetRepository()).isEqualTo("coreos/etcd");
    }
}
