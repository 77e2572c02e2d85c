package dev.cachalot.bench;

/**
 * Runs the side-by-side benchmark (issue 6): {@code mvn -Pbench verify}, or with options
 * {@code mvn -Pbench verify -Dbench.args="--rounds 3 --blob-mib 256"}. Prints the Markdown report and writes
 * {@code bench/results/latest.md} and {@code latest.json}. See bench/README.md.
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) {
        BenchConfig config;
        try {
            config = BenchConfig.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Report report = Benchmark.run(config);
        System.out.println(report.markdown());
        if (config.output() != null) {
            report.write(config.output());
            Benchmark.log("wrote " + config.output().resolve("latest.md") + " and latest.json");
        }
    }
}
