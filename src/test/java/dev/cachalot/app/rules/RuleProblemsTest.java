package dev.cachalot.app.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.app.FakeEngine;
import dev.cachalot.engine.RuleDraft;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Problems land under the field that causes them whatever their wording: the engine is asked with fields swapped. */
class RuleProblemsTest {

    /** An engine whose sentences give no hint of the field they are about. */
    private static final class TerseEngine extends FakeEngine {
        @Override
        public synchronized List<String> checkRule(RuleDraft d) {
            List<String> problems = new ArrayList<>();
            if ("taken-name".equals(d.name())) problems.add("problem A");
            if ("busy/*".equals(d.targetRepository())) problems.add("problem B");
            if (d.sourceRepository().contains("bad")) problems.add("problem C");
            if ("missing-set".equals(d.credentialSet())) problems.add("problem D");
            return problems;
        }
    }

    private final TerseEngine engine = new TerseEngine();

    @Test
    void sortsProblemsByTheFieldWhoseSwapMakesThemGoAway() {
        RuleProblems p = RuleProblems.of(engine, new RuleDraft("taken-name", "docker.io/bad/*", "busy/*", "missing-set", null), false);

        assertThat(p.name()).containsExactly("problem A");
        assertThat(p.target()).containsExactly("problem B");
        assertThat(p.path()).containsExactly("problem C");
        assertThat(p.auth()).containsExactly("problem D");
        assertThat(p.blocksRule()).isTrue();
    }

    @Test
    void dropsCredentialProblemsForASetTheWizardIsAboutToCreate() {
        RuleProblems p = RuleProblems.of(engine, new RuleDraft("fresh-name", "docker.io/library/*", "library/*", "missing-set", null), true);

        assertThat(p).isEqualTo(RuleProblems.NONE);
        assertThat(p.blocksRule()).isFalse();
    }
}
