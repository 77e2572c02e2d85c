package dev.cachalot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeapFreeRatiosTest {

    private final HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);

    private String flag(String name) {
        return vm.getVMOption(name).getValue();
    }

    @Test
    void theCollectionRunsWithoutHeadroomAndTheRatiosAreThenPutBack() {
        String min = flag(HeapFreeRatios.MIN);
        String max = flag(HeapFreeRatios.MAX);
        assertThat(max).as("this JVM's own bound, for the test to mean something").isNotEqualTo("0");
        List<String> during = new ArrayList<>();
        HeapFreeRatios.withoutHeadroom(() -> {
            during.add(flag(HeapFreeRatios.MIN));
            during.add(flag(HeapFreeRatios.MAX));
        });
        assertThat(during).containsExactly("0", "0");
        assertThat(flag(HeapFreeRatios.MIN)).isEqualTo(min);
        assertThat(flag(HeapFreeRatios.MAX)).isEqualTo(max);
    }

    @Test
    void aFailingCollectionStillPutsTheRatiosBack() {
        String min = flag(HeapFreeRatios.MIN);
        String max = flag(HeapFreeRatios.MAX);
        assertThatThrownBy(() -> HeapFreeRatios.withoutHeadroom(() -> {
            throw new IllegalStateException("collection failed");
        })).hasMessage("collection failed");
        assertThat(flag(HeapFreeRatios.MIN)).isEqualTo(min);
        assertThat(flag(HeapFreeRatios.MAX)).isEqualTo(max);
    }
}
