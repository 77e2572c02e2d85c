package dev.cachalot.rules.io;

import dev.cachalot.rules.CredentialSetName;
import dev.cachalot.rules.RuleValidator;
import java.util.Locale;
import java.util.Set;

/** How AWS ECR pull through cache rules map onto Cachalot names. */
final class EcrNames {

    private static final int MAX_NAME = RuleValidator.MAX_NAME_LENGTH;

    private EcrNames() {
    }

    /** {@code registry-1.docker.io} is Docker Hub's API host; rules name it {@code docker.io}. Schemes and slashes go. */
    static String loginServer(String upstreamRegistryUrl) {
        String s = upstreamRegistryUrl.strip();
        int scheme = s.indexOf("://");
        if (scheme >= 0) s = s.substring(scheme + 3);
        while (s.endsWith("/")) s = s.substring(0, s.length() - 1);
        s = s.toLowerCase(Locale.ROOT);
        if (s.equals("registry-1.docker.io") || s.equals("index.docker.io") || s.equals("registry.hub.docker.com")) {
            return "docker.io";
        }
        return s;
    }

    /**
     * {@code ecr-<prefix>} made legal (letters, digits, hyphens; 5 to 50 characters) and unique among {@code taken},
     * which it joins.
     */
    static String uniqueRuleName(String ecrPrefix, Set<String> taken) {
        String p = ecrPrefix.strip();
        String base = "ecr-" + (p.equals("ROOT") ? "root" : p.toLowerCase(Locale.ROOT));
        base = base.replaceAll("[^a-z0-9-]+", "-").replaceAll("-{2,}", "-").replaceAll("-+$", "");
        if (base.length() > MAX_NAME) base = base.substring(0, MAX_NAME).replaceAll("-+$", "");
        while (base.length() < 5) base = base + "x";
        String name = base;
        for (int i = 2; !taken.add(name.toLowerCase(Locale.ROOT)); i++) {
            String suffix = "-" + i;
            name = (base.length() + suffix.length() > MAX_NAME ? base.substring(0, MAX_NAME - suffix.length()) : base) + suffix;
        }
        return name;
    }

    /**
     * The credential set a rule from ECR would use: the Secrets Manager secret's own name
     * ({@code arn:aws:secretsmanager:…:secret:ecr-pullthroughcache/dockerhub-AbC123} gives {@code dockerhub}), without
     * the six-character suffix Secrets Manager appends, made a legal name. The set itself must exist or be created.
     */
    static String credentialSetName(String credentialArn) {
        if (credentialArn == null || credentialArn.isBlank()) return null;
        String s = credentialArn.strip();
        int secret = s.indexOf(":secret:");
        if (secret >= 0) s = s.substring(secret + ":secret:".length());
        if (s.startsWith("ecr-pullthroughcache/")) s = s.substring("ecr-pullthroughcache/".length());
        s = s.replaceFirst("-[A-Za-z0-9]{6}$", "");
        s = s.replaceAll("[^A-Za-z0-9-]+", "-").replaceAll("-{2,}", "-").replaceAll("^-+|-+$", "");
        if (s.length() > CredentialSetName.MAX_LENGTH) s = s.substring(0, CredentialSetName.MAX_LENGTH);
        return s.isEmpty() ? null : s;
    }
}
