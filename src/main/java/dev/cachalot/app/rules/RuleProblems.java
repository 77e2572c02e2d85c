package dev.cachalot.app.rules;

import dev.cachalot.engine.RuleDraft;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The engine's problems with a draft rule, sorted to the field that caused them. The engine answers with sentences;
 * rather than reading their wording, this asks again with one field swapped for a value that cannot be at fault
 * (a fresh probe name, a fresh probe target, a probe path on the same registry): a problem that goes away belongs to
 * the swapped field. What survives every swap is about the credential set. Called off the UI thread; one engine
 * check when the draft is fine, four when it is not.
 */
record RuleProblems(List<String> path, List<String> target, List<String> name, List<String> auth) {

    /** Names no user picks, so swapping them in cannot create a clash of their own. */
    static final String PROBE_NAME = "cachalot-wizard-probe-7f3a";
    static final String PROBE_TARGET = "cachalot-wizard-probe-7f3a";
    /** Two path components, so Docker Hub's library/ rule leaves it as it is. */
    static final String PROBE_PATH = "cachalot-probe/wizard-7f3a";

    static final RuleProblems NONE = new RuleProblems(List.of(), List.of(), List.of(), List.of());

    boolean blocksRule() {
        return !path.isEmpty() || !target.isEmpty() || !name.isEmpty();
    }

    /**
     * @param check               the engine's check ({@code EngineApi::checkRule}): problems of a draft, empty if valid
     * @param ignoreCredentialSet the credential set is being created in the wizard, so the engine cannot know it yet:
     *                            problems about it are expected and dropped
     */
    static RuleProblems of(Function<RuleDraft, List<String>> check, RuleDraft draft, boolean ignoreCredentialSet) {
        List<String> all = check.apply(draft);
        if (all.isEmpty()) return NONE;
        String source = draft.sourceRepository() == null ? "" : draft.sourceRepository().strip();
        String target = draft.targetRepository() == null ? "" : draft.targetRepository().strip();
        boolean wildcard = source.endsWith("/*") || target.equals("*") || target.endsWith("/*");
        int slash = source.indexOf('/');
        String server = slash < 0 ? source : source.substring(0, slash);

        List<String> name = minus(all, check.apply(
                new RuleDraft(PROBE_NAME, source, target, draft.credentialSet(), draft.freshness())));
        List<String> targetProblems = minus(all, check.apply(
                new RuleDraft(draft.name(), source, wildcard ? PROBE_TARGET + "/*" : PROBE_TARGET, draft.credentialSet(), draft.freshness())));
        List<String> path = minus(all, check.apply(
                new RuleDraft(draft.name(), server + "/" + PROBE_PATH + (wildcard ? "/*" : ""), target, draft.credentialSet(), draft.freshness())));
        // a problem two swaps cure (source and target must both be wildcards) is shown once, under the target
        path = minus(path, targetProblems);
        name = minus(minus(name, targetProblems), path);
        List<String> sorted = new ArrayList<>(name);
        sorted.addAll(targetProblems);
        sorted.addAll(path);
        List<String> auth = ignoreCredentialSet ? List.of() : minus(all, sorted);
        return new RuleProblems(path, targetProblems, name, auth);
    }

    private static List<String> minus(List<String> all, List<String> without) {
        return all.stream().filter(p -> !without.contains(p)).toList();
    }
}
