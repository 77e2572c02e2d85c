package dev.cachalot.app.rules;

import dev.cachalot.engine.EngineApi;
import dev.cachalot.engine.RuleDraft;
import java.util.ArrayList;
import java.util.List;

/**
 * The engine's problems with a draft rule, sorted to the field that caused them. The engine answers with sentences;
 * rather than reading their wording, this asks again with one field swapped for a value that cannot be at fault
 * (no credential set, a fresh probe name, a fresh probe target): a problem that goes away belongs to the swapped field.
 * Problems that survive every swap are about the source. Called off the UI thread; at most four engine checks,
 * and only one when the draft is fine.
 */
record RuleProblems(List<String> path, List<String> target, List<String> name, List<String> auth) {

    /** Names no user picks, so swapping them in cannot create a clash of their own. */
    static final String PROBE_NAME = "cachalot-wizard-probe-7f3a";
    static final String PROBE_TARGET = "cachalot-wizard-probe-7f3a";

    static final RuleProblems NONE = new RuleProblems(List.of(), List.of(), List.of(), List.of());

    boolean blocksRule() {
        return !path.isEmpty() || !target.isEmpty() || !name.isEmpty();
    }

    /**
     * @param ignoreCredentialSet the credential set is being created in the wizard, so the engine cannot know it yet:
     *                            problems about it are expected and dropped
     */
    static RuleProblems of(EngineApi engine, RuleDraft draft, boolean ignoreCredentialSet) {
        List<String> all = engine.checkRule(draft);
        if (all.isEmpty()) return NONE;
        RuleDraft anonymous = new RuleDraft(draft.name(), draft.sourceRepository(), draft.targetRepository(), null, draft.freshness());
        List<String> withoutCredentials = draft.credentialSet() == null ? all : engine.checkRule(anonymous);
        List<String> auth = ignoreCredentialSet ? List.of() : minus(all, withoutCredentials);
        if (withoutCredentials.isEmpty()) return new RuleProblems(List.of(), List.of(), List.of(), auth);

        RuleDraft probeName = new RuleDraft(PROBE_NAME, draft.sourceRepository(), draft.targetRepository(), null, draft.freshness());
        List<String> name = minus(withoutCredentials, engine.checkRule(probeName));
        String target = draft.targetRepository() == null ? "" : draft.targetRepository().strip();
        boolean wildcard = target.equals("*") || target.endsWith("/*")
                || draft.sourceRepository() != null && draft.sourceRepository().endsWith("/*");
        RuleDraft probeBoth = new RuleDraft(PROBE_NAME, draft.sourceRepository(), wildcard ? PROBE_TARGET + "/*" : PROBE_TARGET,
                null, draft.freshness());
        List<String> survivors = engine.checkRule(probeBoth);
        List<String> path = new ArrayList<>();
        List<String> targetProblems = new ArrayList<>();
        for (String p : withoutCredentials) {
            if (name.contains(p)) continue;
            if (survivors.contains(p)) path.add(p);
            else targetProblems.add(p);
        }
        return new RuleProblems(path, targetProblems, name, auth);
    }

    private static List<String> minus(List<String> all, List<String> without) {
        return all.stream().filter(p -> !without.contains(p)).toList();
    }
}
