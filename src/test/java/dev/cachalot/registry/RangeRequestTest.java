package dev.cachalot.registry;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RangeRequestTest {

    @Test
    void readsTheThreeSingleRangeForms() {
        assertThat(RangeRequest.parse("bytes=0-9", 100)).isEqualTo(new RangeRequest.Single(0, 9));
        assertThat(RangeRequest.parse("bytes=90-", 100)).isEqualTo(new RangeRequest.Single(90, 99));
        assertThat(RangeRequest.parse("bytes=-10", 100)).isEqualTo(new RangeRequest.Single(90, 99));
        assertThat(RangeRequest.parse("Bytes = 5 - 6", 100)).isEqualTo(RangeRequest.WHOLE);
        assertThat(RangeRequest.parse("bytes= 5-6", 100)).isEqualTo(new RangeRequest.Single(5, 6));
    }

    @Test
    void clampsToTheEnd() {
        assertThat(RangeRequest.parse("bytes=50-500", 100)).isEqualTo(new RangeRequest.Single(50, 99));
        assertThat(RangeRequest.parse("bytes=-500", 100)).isEqualTo(new RangeRequest.Single(0, 99));
    }

    @Test
    void startsAtOrBeyondTheEndAreUnsatisfiable() {
        assertThat(RangeRequest.parse("bytes=100-", 100)).isEqualTo(RangeRequest.UNSATISFIABLE);
        assertThat(RangeRequest.parse("bytes=100-200", 100)).isEqualTo(RangeRequest.UNSATISFIABLE);
        assertThat(RangeRequest.parse("bytes=-0", 100)).isEqualTo(RangeRequest.UNSATISFIABLE);
        assertThat(RangeRequest.parse("bytes=0-", 0)).isEqualTo(RangeRequest.UNSATISFIABLE);
    }

    @Test
    void ignoresWhatItDoesNotServe() {
        assertThat(RangeRequest.parse(null, 100)).isEqualTo(RangeRequest.WHOLE);
        assertThat(RangeRequest.parse("bytes=0-1,3-4", 100)).isEqualTo(RangeRequest.WHOLE);
        assertThat(RangeRequest.parse("items=0-1", 100)).isEqualTo(RangeRequest.WHOLE);
        assertThat(RangeRequest.parse("bytes=9-3", 100)).isEqualTo(RangeRequest.WHOLE);
        assertThat(RangeRequest.parse("bytes=x-3", 100)).isEqualTo(RangeRequest.WHOLE);
        assertThat(RangeRequest.parse("bytes=1234567890123456789-", 100)).isEqualTo(RangeRequest.WHOLE);
    }

    @Test
    void describesItsContentRange() {
        assertThat(new RangeRequest.Single(5, 9).contentRange(100)).isEqualTo("bytes 5-9/100");
        assertThat(new RangeRequest.Single(5, 9).length()).isEqualTo(5);
    }
}
