package dev.cachalot.app.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.app.TestEngine;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.RuleDraft;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Problems land under the field that causes them whatever their wording: the engine is asked with fields swapped. */
class RuleProblemsTest {

    /** A check whose sentences give no hint of the field they are about. */
    private static final Function<RuleDraft, List<String>> TERSE = d -> {
        List<String> problems = new ArrayList<>();
        if ("taken-name".equals(d.name())) problems.add("problem A");
        if ("busy/*".equals(d.targetRepository())) problems.add("problem B");
        if (d.sourceRepository().contains("bad")) problems.add("problem C");
        if ("missing-set".equals(d.credentialSet())) problems.add("problem D");
        return problems;
    };

    @Test
    void sortsProblemsByTheFieldWhoseSwapMakesThemGoAway() {
        RuleProblems p = RuleProblems.of(TERSE, new RuleDraft("taken-name", "docker.io/bad/*", "busy/*", "missing-set", null), false);

        assertThat(p.name()).containsExactly("problem A");
        assertThat(p.target()).containsExactly("problem B");
        assertThat(p.path()).containsExactly("problem C");
        assertThat(p.auth()).containsExactly("problem D");
        assertThat(p.blocksRule()).isTrue();
    }

    @Test
    void dropsCredentialProblemsForASetTheWizardIsAboutToCreate() {
        RuleProblems p = RuleProblems.of(TERSE, new RuleDraft("fresh-name", "docker.io/library/*", "library/*", "missing-set", null), true);

        assertThat(p).isEqualTo(RuleProblems.NONE);
        assertThat(p.blocksRule()).isFalse();
    }

    @Test
    void sortsTheRealEnginesOverlapUnderTheTargetAndAMissingSetUnderAuthentication(@TempDir Path data) {
        try (Engine engine = TestEngine.open(data)) {
            engine.createRule(new RuleDraft("k8s-all", "registry.k8s.io/*", "k8s/*", null, null));

            RuleProblems p = RuleProblems.of(engine::checkRule,
                    new RuleDraft("k8s-pause", "registry.k8s.io/pause/*", "k8s/pause/*", "no-such-set", null), false);

            assertThat(p.target()).singleElement().asString().contains("k8s-all");
            assertThat(p.auth()).singleElement().asString().contains("no-such-set");
            assertThat(p.path()).isEmpty();
            assertThat(p.name()).isEmpty();
        }
    }
}
