package dev.cachalot.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class ProcessMemoryTest {

    @Test
    void theSerialCollectorsHeapIsItsTwoGenerationsWithoutMetaspace() throws IOException {
        String serial = """
                1337:
                 def new generation   total 9920K, used 52K [0x00000000f0000000, 0x00000000f0ac0000, 0x00000000f5550000)
                  eden space 8832K,   0% used [0x00000000f0000000, 0x00000000f0000000, 0x00000000f08a0000)
                  from space 1088K,   4% used [0x00000000f09b0000, 0x00000000f09bd000, 0x00000000f0ac0000)
                 tenured generation   total 21888K, used 14906K [0x00000000f5550000, 0x00000000f6ab0000, 0x0000000100000000)
                   the space 21888K,  68% used [0x00000000f5550000, 0x00000000f63fe8a8, 0x00000000f63fea00, 0x00000000f6ab0000)
                 Metaspace       used 5504K, committed 5760K, reserved 1114112K
                  class space    used 323K, committed 448K, reserved 1048576K
                """;
        assertThat(Workloads.ProcessMemory.committedKib(serial)).isEqualTo(9920 + 21888);
    }

    @Test
    void g1sHeapIsOneLine() throws IOException {
        String g1 = """
                4242:
                 garbage-first heap   total 262144K, used 20480K [0x00000000f0000000, 0x0000000100000000)
                  region size 1024K, 12 young (12288K), 2 survivors (2048K)
                 Metaspace       used 5504K, committed 5760K, reserved 1114112K
                """;
        assertThat(Workloads.ProcessMemory.committedKib(g1)).isEqualTo(262144);
    }

    @Test
    void anAnswerWithoutSizesIsAnError() {
        assertThatThrownBy(() -> Workloads.ProcessMemory.committedKib("4242:\nAttachNotSupportedException"))
                .isInstanceOf(IOException.class).hasMessageContaining("no heap sizes");
    }
}
