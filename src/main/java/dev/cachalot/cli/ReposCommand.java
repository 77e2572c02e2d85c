package dev.cachalot.cli;

import dev.cachalot.engine.EngineAdmin;
import dev.cachalot.engine.RepositoryView;
import dev.cachalot.engine.TagView;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Browsing the cache. */
@Command(name = "repos", mixinStandardHelpOptions = true, description = "Browse cached and local repositories.",
        subcommands = {ReposCommand.ListRepos.class, ReposCommand.Show.class})
final class ReposCommand {

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List repositories.")
    static final class ListRepos extends EngineCommand {
        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        protected int run(EngineAdmin engine) throws Exception {
            List<RepositoryView> repos = engine.repositories();
            if (json) {
                printJson(repos);
                return 0;
            }
            Table t = new Table("REPOSITORY", "KIND", "RULE", "TAGS", "SIZE", "PULLS", "LAST PULL");
            for (RepositoryView r : repos) {
                t.row(r.name(), r.cached() ? "cached" : "local", r.ruleName(), r.tagCount(), Table.bytes(r.sizeBytes()), r.pullCount(), r.lastPulled());
            }
            t.print(out());
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a repository's tags.")
    static final class Show extends EngineCommand {
        @Parameters(paramLabel = "NAME")
        String name;
        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        protected int run(EngineAdmin engine) throws Exception {
            RepositoryView repo = engine.repositories().stream().filter(r -> r.name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no repository named '" + name + "' in the cache"));
            List<TagView> tags = engine.tags(name);
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("repository", repo);
                m.put("tags", tags);
                printJson(m);
                return 0;
            }
            out().println("Repository " + repo.name() + " (" + (repo.cached() ? "cached via rule " + repo.ruleName() : "local") + ")");
            out().println("Size " + Table.bytes(repo.sizeBytes()) + ", " + repo.pullCount() + " pulls, last " + (repo.lastPulled() == null ? "never" : repo.lastPulled()));
            Table t = new Table("TAG", "DIGEST", "MEDIA TYPE", "PLATFORMS", "SIZE", "PULLS", "LAST PULL");
            for (TagView tag : tags) {
                t.row(tag.tag(), tag.digest(), tag.mediaType(), tag.platforms().isEmpty() ? null : String.join(",", tag.platforms()), Table.bytes(tag.sizeBytes()), tag.pullCount(), tag.lastPulled());
            }
            t.print(out());
            return 0;
        }
    }
}
