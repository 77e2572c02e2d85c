package dev.cachalot.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RuleValidatorTest {

    private static final Upstream LOOPBACK = UpstreamCatalog.custom("127.0.0.1:5001", "http://127.0.0.1:5001", null);
    private static final Predicate<String> NOTHING_LOCAL = name -> false;

    private final RuleValidator validator = new RuleValidator(new UpstreamCatalog(List.of(LOOPBACK)));

    static CacheRule rule(String name, String source, String target) {
        return rule(name, source, target, null);
    }

    static CacheRule rule(String name, String source, String target, String credentialSet) {
        return new CacheRule(name, source, target, credentialSet, FreshnessPolicy.REVALIDATE, Instant.EPOCH,
                CacheRule.ProvisioningState.Succeeded);
    }

    private List<String> problems(CacheRule candidate, CacheRule... existing) {
        return validator.problems(candidate, List.of(existing), NOTHING_LOCAL);
    }

    @Test
    void acceptsAWellFormedRule() {
        assertThat(problems(rule("hello-world", "ghcr.io/owner/hello", "hello"))).isEmpty();
        assertThat(problems(rule("dockerhub-all", "docker.io/*", "*", "hub-creds"))).isEmpty();
        assertThat(problems(rule("local-upstream", "127.0.0.1:5001/*", "mirror/*"))).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "abcd | must be 5 to 50 characters long (it has 4)",
            "a-very-long-rule-name-that-goes-on-and-on-and-on-and-on | must be 5 to 50 characters long (it has 55)",
            "my_rule | may contain only letters, digits and hyphens",
            "'my rule' | may contain only letters, digits and hyphens",
            "règle-un | may contain only letters, digits and hyphens",
    })
    void refusesBadNames(String name, String reason) {
        assertThat(problems(rule(name, "ghcr.io/owner/hello", "hello")))
                .containsExactly("rule name '" + name + "' " + reason);
    }

    @Test
    void acceptsNamesOfFiveAndFiftyCharacters() {
        assertThat(problems(rule("Ab-12", "ghcr.io/a/b", "b"))).isEmpty();
        assertThat(problems(rule("x".repeat(50), "ghcr.io/a/b", "b"))).isEmpty();
    }

    @Test
    void refusesAMissingName() {
        assertThat(problems(rule(null, "ghcr.io/a/b", "b"))).containsExactly("a rule needs a name");
    }

    @Test
    void refusesADuplicateName() {
        assertThat(problems(rule("hello-rule", "ghcr.io/a/b", "b"), rule("hello-rule", "ghcr.io/a/c", "c")))
                .containsExactly("a rule named 'hello-rule' already exists");
    }

    @Test
    void refusesANameDifferingOnlyInCase() {
        assertThat(problems(rule("Hello-Rule", "ghcr.io/a/b", "b"), rule("hello-rule", "ghcr.io/a/c", "c")))
                .containsExactly("rule name 'Hello-Rule' differs only in case from the existing rule 'hello-rule'");
    }

    @Test
    void refusesTheThousandAndFirstRule() {
        List<CacheRule> existing = new ArrayList<>();
        for (int i = 0; i < RuleValidator.MAX_RULES; i++) {
            existing.add(rule("rule-" + i, "ghcr.io/owner/app" + i, "app" + i));
        }
        assertThat(validator.problems(rule("one-too-many", "ghcr.io/owner/more", "more"), existing, NOTHING_LOCAL))
                .containsExactly("at most 1000 cache rules are allowed: delete a rule before adding 'one-too-many'");
        assertThat(validator.problems(rule("the-last-one", "ghcr.io/owner/more", "more"), existing.subList(0, 999), NOTHING_LOCAL))
                .isEmpty();
    }

    @Test
    void refusesAWildcardSourceWithAStaticTarget() {
        assertThat(problems(rule("mixed-rule", "ghcr.io/owner/*", "owner")))
                .containsExactly("source 'ghcr.io/owner/*' is a wildcard but target 'owner' is not: both must end in /* or neither");
    }

    @Test
    void refusesAStaticSourceWithAWildcardTarget() {
        assertThat(problems(rule("mixed-rule", "ghcr.io/owner/app", "owner/*")))
                .containsExactly("target 'owner/*' is a wildcard but source 'ghcr.io/owner/app' is not: both must end in /* or neither");
        assertThat(problems(rule("mixed-rule", "ghcr.io/owner/app", "*")))
                .containsExactly("target '*' is a wildcard but source 'ghcr.io/owner/app' is not: both must end in /* or neither");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "hello:latest | a tag or digest is not allowed in a rule's target repository: 'hello:latest'",
            "Hello | a rule's target repository must be lowercase: 'Hello'",
            "a//b | a rule's target repository has an empty path component: 'a//b'",
            "/abs | a rule's target repository has an empty path component: '/abs'",
            "a/*/b | a wildcard may only end a rule's target repository, as '/*': 'a/*/b'",
            "../etc | '..' in the rule's target repository '../etc' is not a valid path component: "
                    + "use lowercase letters and digits, separated by '.', '_', '__' or '-'",
    })
    void refusesTargetsThatAreNotRepositoryNames(String target, String problem) {
        assertThat(problems(rule("some-rule", "ghcr.io/a/b", target))).containsExactly(problem);
    }

    @Test
    void refusesASourceThatIsNotNormalized() {
        assertThat(problems(rule("some-rule", "nginx", "nginx", "creds")))
                .containsExactly("source repository 'nginx' is not normalized: write 'docker.io/library/nginx'");
    }

    @Test
    void reportsWhyASourceIsMalformed() {
        assertThat(problems(rule("some-rule", "nginx:1.25", "nginx")))
                .containsExactly("a tag or digest is not allowed in a rule's source repository: 'nginx:1.25'");
    }

    @Test
    void refusesTwoWildcardRulesWithTheSameTarget() {
        assertThat(problems(rule("second-rule", "ghcr.io/b/*", "lib/*"), rule("first-rule", "ghcr.io/a/*", "lib/*")))
                .containsExactly("target 'lib/*' is already used by rule 'first-rule'");
    }

    @Test
    void refusesTwoStaticRulesWithTheSameTarget() {
        assertThat(problems(rule("second-rule", "ghcr.io/b/app", "app"), rule("first-rule", "ghcr.io/a/app", "app")))
                .containsExactly("target 'app' is already used by rule 'first-rule'");
    }

    @Test
    void refusesAWildcardTargetInsideTheWholeRegistryWildcard() {
        assertThat(problems(rule("library-rule", "docker.io/library/*", "library/*", "creds"),
                rule("everything", "docker.io/*", "*", "creds")))
                .containsExactly("wildcard target 'library/*' lies inside wildcard target '*' of rule 'everything'");
    }

    @Test
    void refusesTheWholeRegistryWildcardOverAnotherWildcard() {
        assertThat(problems(rule("everything", "docker.io/*", "*", "creds"),
                rule("library-rule", "docker.io/library/*", "library/*", "creds")))
                .containsExactly("wildcard target '*' would contain wildcard target 'library/*' of rule 'library-rule'");
    }

    @Test
    void refusesAWildcardTargetInsideAnotherWildcard() {
        assertThat(problems(rule("dotnet-rule", "mcr.microsoft.com/dotnet/*", "library/dotnet/*"),
                rule("library-rule", "docker.io/library/*", "library/*", "creds")))
                .containsExactly("wildcard target 'library/dotnet/*' lies inside wildcard target 'library/*' of rule 'library-rule'");
    }

    @Test
    void refusesAWildcardTargetContainingAnotherWildcard() {
        assertThat(problems(rule("library-rule", "docker.io/library/*", "library/*", "creds"),
                rule("dotnet-rule", "mcr.microsoft.com/dotnet/*", "library/dotnet/*")))
                .containsExactly("wildcard target 'library/*' would contain wildcard target 'library/dotnet/*' of rule 'dotnet-rule'");
    }

    @Test
    void acceptsSiblingWildcardsThatShareOnlyAPrefixOfCharacters() {
        // lib/* and library/* look alike as strings but cover different names.
        assertThat(problems(rule("lib-rule", "ghcr.io/lib/*", "lib/*"),
                rule("library-rule", "docker.io/library/*", "library/*", "creds"))).isEmpty();
    }

    @Test
    void acceptsAStaticRuleInsideAWildcardRuleInEitherOrder() {
        CacheRule wildcard = rule("library-rule", "docker.io/library/*", "library/*", "creds");
        CacheRule exact = rule("nginx-rule", "ghcr.io/nginx/nginx", "library/nginx");
        assertThat(problems(exact, wildcard)).isEmpty();
        assertThat(problems(wildcard, exact)).isEmpty();
        assertThat(problems(rule("any-static", "ghcr.io/a/b", "b"), rule("everything", "docker.io/*", "*", "creds"))).isEmpty();
    }

    @Test
    void refusesAStaticTargetThatIsAlreadyALocalRepository() {
        Set<String> local = Set.of("hello");
        assertThat(validator.problems(rule("hello-rule", "ghcr.io/a/hello", "hello"), List.of(), local::contains))
                .containsExactly("a local repository named 'hello' already exists: choose another target");
    }

    @Test
    void refusesAWildcardTargetOverExistingLocalRepositories() {
        List<String> asked = new ArrayList<>();
        Predicate<String> existsUnder = prefix -> {
            asked.add(prefix);
            return prefix.equals("team");
        };
        assertThat(validator.problems(rule("team-rule", "ghcr.io/team/*", "team/*"), List.of(), existsUnder))
                .containsExactly("local repositories already exist under 'team/': choose another target than 'team/*'");
        assertThat(validator.problems(rule("other-rule", "ghcr.io/other/*", "other/*"), List.of(), existsUnder)).isEmpty();
        assertThat(asked).containsExactly("team", "other");
    }

    @Test
    void refusesTheWholeRegistryWildcardWhenAnyLocalRepositoryExists() {
        Predicate<String> existsUnder = prefix -> prefix.isEmpty();
        assertThat(validator.problems(rule("everything", "ghcr.io/*", "*"), List.of(), existsUnder))
                .containsExactly("target '*' would cover the local repositories that already exist: choose a narrower target");
    }

    @Test
    void refusesASourceFromAnUnknownRegistry() {
        assertThat(problems(rule("unknown-rule", "registry.example.com/team/app", "app")))
                .containsExactly("no upstream is known for login server 'registry.example.com' of source "
                        + "'registry.example.com/team/app': add it as a custom upstream first");
    }

    @Test
    void acceptsSourcesFromGcrRegionsAndArtifactRegistry() {
        assertThat(problems(rule("gcr-eu-rule", "eu.gcr.io/project/app", "app"))).isEmpty();
        assertThat(problems(rule("artifact-rule", "us-central1-docker.pkg.dev/project/repo/*", "gar/*"))).isEmpty();
    }

    @Test
    void refusesDockerHubWithoutACredentialSet() {
        assertThat(problems(rule("nginx-rule", "docker.io/library/nginx", "nginx")))
                .containsExactly("Docker Hub allows authenticated pulls only: choose a credential set");
    }

    @Test
    void refusesACredentialSetForMcrAndEcrPublic() {
        assertThat(problems(rule("dotnet-rule", "mcr.microsoft.com/dotnet/runtime", "dotnet", "my-creds")))
                .containsExactly("Microsoft Artifact Registry allows anonymous pulls only: remove the credential set 'my-creds'");
        assertThat(problems(rule("ecr-rule-1", "public.ecr.aws/docker/library/*", "ecr/*", "my-creds")))
                .containsExactly("AWS ECR Public allows anonymous pulls only: remove the credential set 'my-creds'");
    }

    @Test
    void allowsBothAuthModesForACustomLoopbackUpstream() {
        assertThat(problems(rule("anonymous-local", "127.0.0.1:5001/hello", "hello"))).isEmpty();
        assertThat(problems(rule("secured-local", "127.0.0.1:5001/hello", "hello", "local-creds"))).isEmpty();
        assertThat(problems(rule("ghcr-anonymous", "ghcr.io/owner/app", "app"))).isEmpty();
        assertThat(problems(rule("ghcr-with-creds", "ghcr.io/owner/app", "app", "gh-creds"))).isEmpty();
    }

    @Test
    void reportsEveryProblemOfARuleAtOnce() {
        assertThat(problems(rule("bad", "docker.io/library/nginx", "nginx"), rule("other-rule", "ghcr.io/x/nginx", "nginx")))
                .containsExactly(
                        "rule name 'bad' must be 5 to 50 characters long (it has 3)",
                        "target 'nginx' is already used by rule 'other-rule'",
                        "Docker Hub allows authenticated pulls only: choose a credential set");
    }

    @Test
    void checksACredentialChangeAgainstTheUpstreamAlone() {
        assertThat(validator.credentialProblem("docker.io/library/nginx", null))
                .contains("Docker Hub allows authenticated pulls only: choose a credential set");
        assertThat(validator.credentialProblem("docker.io/library/nginx", "hub")).isEmpty();
    }
}
