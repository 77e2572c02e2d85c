package dev.cachalot.app.stats;

import javafx.scene.Node;
import javafx.scene.control.Tooltip;
import javafx.util.Duration;

/** What the portal counts as a pull, in the words its tooltips show (the README says the same; stats.ImagePulls does it). */
public final class PullCounting {

    public static final String DEFINITION = """
            A pull is one image pulled by one client: the tag or digest it asked for, counted once with the \
            platform manifests and layers it then fetched for it (requests less than 5 s apart). containerd's \
            HEAD-then-GET by digest, docker's tag-then-platform and skopeo --all's index with every platform each \
            count as one pull.
            A pull is a miss when any of its content came from the upstream, a hit when all of it came from the \
            cache, stale when the upstream failed and the cached copy was served, failed when a request of it failed. \
            The hit ratio (hits and stale over answered pulls) shows once a pull was answered.""";

    private PullCounting() {
    }

    /** Shows the definition when the pointer rests on {@code node}. */
    public static void explain(Node node) {
        Tooltip tip = new Tooltip(DEFINITION);
        tip.setWrapText(true);
        tip.setPrefWidth(420);
        tip.setShowDuration(Duration.seconds(60));
        Tooltip.install(node, tip);
    }
}
