package io.pandashop.pipeline.api;

import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Percentiles from the histogram buckets of the registry the service runs with, over a sliding minute. */
class FreshnessWindowTest {

    @Test
    void percentilesFollowTheLastMinute() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Timer timer = Timer.builder("pipeline.freshness").tag("destination", "redis").publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(10)).maximumExpectedValue(Duration.ofHours(1))
                .register(registry);
        FreshnessWindow window = new FreshnessWindow(registry);
        assertNull(window.of("redis", 0).p50Ms(), "no change yet");
        assertNull(window.of("clickhouse", 0).p99Ms(), "no meter yet");

        for (int i = 0; i < 1000; i++) {
            timer.record(i < 900 ? 100 : 3000, TimeUnit.MILLISECONDS);
        }
        DashboardSnapshot.Freshness first = window.of("redis", 1_000);
        assertBetween(80, 120, first.p50Ms());
        assertBetween(2500, 3600, first.p99Ms());

        // A minute later, only what was recorded since counts.
        for (int i = 0; i < 1000; i++) {
            timer.record(20, TimeUnit.MILLISECONDS);
        }
        window.of("redis", 30_000);
        DashboardSnapshot.Freshness later = window.of("redis", 62_000);
        assertBetween(15, 25, later.p50Ms());
        assertBetween(15, 25, later.p99Ms());
        DashboardSnapshot.Freshness quiet = window.of("redis", 125_000);
        assertNull(quiet.p99Ms(), "nothing recorded in the last minute: " + quiet);
    }

    private static void assertBetween(double low, double high, Double value) {
        assertTrue(value != null && value >= low && value <= high, value + " not in [" + low + ", " + high + "]");
    }
}
