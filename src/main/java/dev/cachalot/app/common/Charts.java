package dev.cachalot.app.common;

import javafx.scene.chart.NumberAxis;
import javafx.util.StringConverter;

/** Chart helpers: pull counts are whole numbers, so their axes start at 0 and tick on whole steps. */
public final class Charts {
    private Charts() {
    }

    /** A count axis from 0 to a round value at or above {@code max}, with whole-number ticks and no minor ticks. */
    public static void countAxis(NumberAxis axis, long max) {
        long step = step(max);
        axis.setAutoRanging(false);
        axis.setLowerBound(0);
        axis.setUpperBound(Math.max(step, ((max + step - 1) / step) * step));
        axis.setTickUnit(step);
        axis.setMinorTickVisible(false);
        axis.setForceZeroInRange(true);
        axis.setTickLabelFormatter(WHOLE);
    }

    /** 1, 2, 5, 10, 20, 50, … so that about five ticks cover {@code max}. */
    static long step(long max) {
        long target = Math.max(1, max / 5);
        long magnitude = 1;
        while (magnitude * 10 <= target) magnitude *= 10;
        for (long m : new long[]{1, 2, 5, 10}) {
            if (m * magnitude >= target) return m * magnitude;
        }
        return 10 * magnitude;
    }

    private static final StringConverter<Number> WHOLE = new StringConverter<>() {
        @Override
        public String toString(Number n) {
            return n == null ? "" : String.valueOf(n.longValue());
        }

        @Override
        public Number fromString(String s) {
            return Long.parseLong(s);
        }
    };
}
