package io.pandashop.pipeline.api;

import io.quarkus.runtime.annotations.RegisterForReflection;

import io.pandashop.pipeline.backfill.BackfillStatus;

import java.util.List;
import java.util.Map;

/**
 * What the dashboard shows at one moment; sent every second over server-sent events.
 *
 * @param backfill the latest backfill on any replica, running or finished; null when none is kept
 */
@RegisterForReflection
public record DashboardSnapshot(long timeMs, List<TopContentResource.Entry> top, double eventsInPerSecond,
        Map<String, Double> eventsOutPerSecond, Map<String, Freshness> freshness, List<Dependency> dependencies,
        long consumerLag, double deadLettered, double parked, BackfillStatus backfill) {

    /** Freshness percentiles of one destination over the last minutes, in milliseconds; null before any change. */
    @RegisterForReflection
    public record Freshness(Double p50Ms, Double p99Ms) {
    }

    /** One health check and its state. */
    @RegisterForReflection
    public record Dependency(String name, String status) {
    }
}
