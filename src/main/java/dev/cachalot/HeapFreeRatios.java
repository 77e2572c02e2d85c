package dev.cachalot;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The heap's free-space bounds that a full collection sizes the heap by ({@code MinHeapFreeRatio},
 * {@code MaxHeapFreeRatio}, manageable flags), set to 0 for one collection and then put back.
 */
final class HeapFreeRatios {

    private static final Logger log = LoggerFactory.getLogger(HeapFreeRatios.class);
    static final String MIN = "MinHeapFreeRatio";
    static final String MAX = "MaxHeapFreeRatio";
    /** No headroom: the collection shrinks each generation to its live data, not below its size at the JVM's start. */
    private static final String NONE = "0";

    private HeapFreeRatios() {
    }

    /**
     * Runs {@code collection} without headroom and then puts back the bounds from before, also when it throws. When
     * they cannot be read or set (another JVM), the collection runs all the same, with the JVM's own.
     */
    static void withoutHeadroom(Runnable collection) {
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        String minBefore;
        String maxBefore;
        try {
            minBefore = vm.getVMOption(MIN).getValue();
            maxBefore = vm.getVMOption(MAX).getValue();
        } catch (RuntimeException e) {
            log.debug("Heap free ratios not readable: {}", e.toString());
            collection.run();
            return;
        }
        try {
            try {
                // the JVM checks Min <= Max on each single change: lower Min first, and put Max back first
                vm.setVMOption(MIN, NONE);
                vm.setVMOption(MAX, NONE);
            } catch (RuntimeException e) {
                log.debug("Heap free ratios not set: {}", e.toString());
            }
            collection.run();
        } finally {
            restore(vm, MAX, maxBefore);
            restore(vm, MIN, minBefore);
        }
    }

    private static void restore(HotSpotDiagnosticMXBean vm, String flag, String value) {
        try {
            if (!vm.getVMOption(flag).getValue().equals(value)) vm.setVMOption(flag, value);
        } catch (RuntimeException e) {
            log.warn("Could not put {} back to {}: {}", flag, value, e.toString());
        }
    }
}
