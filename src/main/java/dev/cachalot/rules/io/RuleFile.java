package dev.cachalot.rules.io;

import java.util.List;

/** What one file holds once read: entries in file order, each with its location. */
public record RuleFile(String fileName, RuleFormat format, List<RawRule> rules, List<RawCredentialSet> credentialSets,
                       List<RawUpstream> upstreams) {
    public RuleFile {
        rules = List.copyOf(rules);
        credentialSets = List.copyOf(credentialSets);
        upstreams = List.copyOf(upstreams);
    }
}
