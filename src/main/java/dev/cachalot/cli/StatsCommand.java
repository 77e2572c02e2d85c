package dev.cachalot.cli;

import dev.cachalot.engine.EngineAdmin;
import dev.cachalot.rules.FreshnessPolicy;
import dev.cachalot.stats.RepositoryStats;
import dev.cachalot.stats.StatsTotals;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Pull statistics per repository. */
@Command(name = "stats", mixinStandardHelpOptions = true, description = "Pull statistics per repository.")
final class StatsCommand extends EngineCommand {
    @Option(names = "--json", description = "Print JSON.")
    boolean json;
    @Option(names = "--since", paramLabel = "DURATION", description = "Only the last DURATION, e.g. 24h or 7d (default: all).")
    String since;

    @Override
    protected int run(EngineAdmin engine) throws Exception {
        Instant from = since == null ? Instant.EPOCH : Instant.now().minus(FreshnessPolicy.parseDuration(since));
        StatsTotals totals = engine.totals(from);
        List<RepositoryStats> repos = engine.repositoryStats(from);
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("totals", totals);
            m.put("hitRatio", totals.hitRatio());
            m.put("repositories", repos);
            printJson(m);
            return 0;
        }
        Table t = new Table("REPOSITORY", "PULLS", "HITS", "MISSES", "STALE", "SERVED", "UPSTREAM", "LAST PULL");
        for (RepositoryStats r : repos) {
            t.row(r.repository(), r.pulls(), r.hits(), r.misses(), r.stale(), Table.bytes(r.bytesServed()), Table.bytes(r.upstreamBytes()), r.lastPull());
        }
        t.print(out());
        out().printf(java.util.Locale.ROOT, "%d pulls, hit ratio %.0f%%, %s served, %s from cache, %s from upstreams%n",
                totals.pulls(), totals.hitRatio() * 100, Table.bytes(totals.bytesServed()), Table.bytes(totals.bytesFromCache()),
                Table.bytes(totals.upstreamBytes()));
        return 0;
    }
}
