package dev.cachalot.cli;

import dev.cachalot.bundle.BundleExportReport;
import dev.cachalot.bundle.BundleImportReport;
import dev.cachalot.bundle.BundleSelection;
import dev.cachalot.engine.EngineAdmin;
import dev.cachalot.rules.PlatformFilter;
import dev.cachalot.rules.TagFilter;
import java.nio.file.Path;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Offline bundles: cached images to an OCI image layout tar, and back into a cache on another machine. */
@Command(name = "bundle", mixinStandardHelpOptions = true,
        description = "Carry cached images to a machine without network: an OCI image layout in a tar archive.",
        subcommands = {BundleCommand.Export.class, BundleCommand.Import.class})
final class BundleCommand {

    /** Exit code of an export that wrote the bundle but had to leave selected tags out (not fully cached). */
    static final int SOME_TAGS_LEFT_OUT = 3;

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = {"Write fully cached images as an OCI image layout in a tar archive (skopeo copy oci-archive:FILE:REPO:TAG ...).",
                    "With --engine URL the bundle is downloaded from that engine into FILE.",
                    "Exit 0 when every selected tag is in the bundle, " + SOME_TAGS_LEFT_OUT + " when some were not fully cached (listed)."})
    static final class Export extends EngineCommand {

        static final class Source {
            @Option(names = "--rule", paramLabel = "NAME", required = true, description = "Every repository cached through this rule.")
            String rule;
            @Option(names = "--repository", paramLabel = "REPO", required = true, description = "One repository (cached or local).")
            String repository;
        }

        @ArgGroup(exclusive = true, multiplicity = "1")
        Source source;

        @Option(names = "--tags", paramLabel = "FILTER", description = {"Which tags (default: all): a list (3.19,3.20), a glob (3.*),",
                "re:REGEX, semver:RANGE (semver:>=3.19 <4) or semver-latest:N."})
        String tags;

        @Option(names = "--platforms", paramLabel = "P1,P2", description = "Only these platforms of an index (linux/amd64,linux/arm64); the index is kept whole.")
        String platforms;

        @Option(names = "--json", description = "Print the report as JSON.")
        boolean json;

        @Parameters(paramLabel = "FILE", description = "The tar archive to write.")
        Path file;

        @Override
        protected int run(EngineAdmin engine) throws Exception {
            TagFilter tagFilter = tags == null ? TagFilter.ALL : TagFilter.parse(tags);
            PlatformFilter platformFilter = PlatformFilter.parse(platforms);
            BundleSelection selection = source.rule != null ? BundleSelection.ofRule(source.rule, tagFilter, platformFilter)
                    : BundleSelection.ofRepository(source.repository, tagFilter, platformFilter);
            BundleExportReport report = engine.exportBundle(selection, file.toAbsolutePath());
            if (json) {
                printJson(report);
            } else {
                out().println("Wrote " + file + ": " + report.tags().size() + " tag(s), " + report.manifests() + " manifest(s), "
                        + report.blobs() + " blob(s), " + Table.bytes(report.bytes()));
                for (String ref : report.tags()) out().println("  " + ref);
            }
            for (BundleExportReport.Skipped s : report.skipped()) {
                spec.commandLine().getErr().println("left out " + s.refName() + ": " + s.reason());
            }
            return report.skipped().isEmpty() ? 0 : SOME_TAGS_LEFT_OUT;
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = {"Verify a bundle and load it into this cache, all or nothing: under the rules that serve its repository names, else as local repositories.",
                    "With --engine URL the file is uploaded to that engine, which verifies and loads it."})
    static final class Import extends EngineCommand {

        @Option(names = "--json", description = "Print the report as JSON.")
        boolean json;

        @Parameters(paramLabel = "FILE", description = "The tar archive to read.")
        Path file;

        @Override
        protected int run(EngineAdmin engine) throws Exception {
            BundleImportReport report = engine.importBundle(file.toAbsolutePath());
            if (json) {
                printJson(report);
                return 0;
            }
            out().println("Imported " + file + ": " + report.images() + " image(s), " + report.tags() + " tag(s), " + report.manifests()
                    + " manifest(s), " + report.blobs() + " new blob(s) (" + Table.bytes(report.bytes()) + "), "
                    + report.alreadyPresent() + " already present");
            for (BundleImportReport.Destination d : report.repositories()) {
                out().println("  " + d.repository() + (d.ruleName() == null ? " (local repository)"
                        : " (cached via rule " + d.ruleName() + ", upstream " + d.upstreamRepository() + ")"));
            }
            return 0;
        }
    }
}
