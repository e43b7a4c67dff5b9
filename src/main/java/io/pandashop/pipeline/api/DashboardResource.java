package io.pandashop.pipeline.api;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pandashop.pipeline.backfill.BackfillStatus;
import io.pandashop.pipeline.backfill.Backfills;
import io.smallrye.health.SmallRyeHealthReporter;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.json.JsonObject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestStreamElementType;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Feeds the dashboard (src/main/resources/META-INF/resources/index.html): one snapshot a second over server-sent
 * events, read from the service's own meters, health checks and the leaderboard.
 */
@Path("/api/dashboard")
public class DashboardResource {

    private static final List<String> DESTINATIONS = List.of("clickhouse", "redis", "external");

    private final MeterRegistry registry;
    private final TopContentResource topContent;
    private final SmallRyeHealthReporter health;
    private final Backfills backfills;
    private final FreshnessWindow freshnessWindow;
    /** Every readiness check runs at most every 5 s, however many dashboards are open. */
    private final Uni<List<DashboardSnapshot.Dependency>> dependencies;

    public DashboardResource(MeterRegistry registry, TopContentResource topContent, SmallRyeHealthReporter health,
            Backfills backfills, FreshnessWindow freshnessWindow) {
        this.registry = registry;
        this.freshnessWindow = freshnessWindow;
        this.backfills = backfills;
        this.topContent = topContent;
        this.health = health;
        this.dependencies = Uni.createFrom().deferred(this::readDependencies).memoize()
                .atLeast(Duration.ofSeconds(5));
    }

    @GET
    @Path("/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Operation(summary = "Dashboard snapshots, one a second (server-sent events)")
    public Multi<DashboardSnapshot> stream() {
        Rates rates = new Rates(); // per subscriber: rates are counter deltas between its own ticks
        return Multi.createFrom().ticks().startingAfter(Duration.ofMillis(10)).every(Duration.ofSeconds(1))
                .onOverflow().drop()
                .onItem().transformToUniAndConcatenate(tick -> snapshot(rates));
    }

    private Uni<DashboardSnapshot> snapshot(Rates rates) {
        long now = System.currentTimeMillis();
        double in = rates.perSecond("in", sum("pipeline.records.received", "table", "engagement_events"), now);
        Map<String, Double> out = new TreeMap<>();
        Map<String, DashboardSnapshot.Freshness> freshness = new TreeMap<>();
        for (String d : DESTINATIONS) {
            out.put(d, rates.perSecond(d, sum("pipeline.sink.changes", "destination", d), now));
            freshness.put(d, freshnessWindow.of(d, now));
        }
        long lag = (long) registry.find("pipeline.consumer.lag").gauges().stream().mapToDouble(Gauge::value).sum();
        double dead = registry.find("pipeline.dead.letter").counters().stream().mapToDouble(Counter::count).sum();
        double parked = registry.find("pipeline.external.parked").counters().stream().mapToDouble(Counter::count).sum();
        rates.tick(now);
        Uni<BackfillStatus> backfill = backfills.latest().onFailure().recoverWithNull();
        return Uni.combine().all()
                .unis(topContent.top(10, "PT10M").onFailure().recoverWithItem(List.of()), dependencies, backfill)
                .with((top, dependencies, latest) -> new DashboardSnapshot(now, top, in, out, freshness, dependencies,
                        lag, dead, parked, latest));
    }

    private double sum(String name, String tag, String value) {
        return registry.find(name).tag(tag, value).counters().stream().mapToDouble(Counter::count).sum();
    }

    private Uni<List<DashboardSnapshot.Dependency>> readDependencies() {
        return health.getReadinessAsync().map(report -> {
            List<DashboardSnapshot.Dependency> list = new ArrayList<>();
            for (var check : report.getPayload().getJsonArray("checks")) {
                JsonObject c = check.asJsonObject();
                list.add(new DashboardSnapshot.Dependency(c.getString("name"), c.getString("status")));
            }
            return list;
        });
    }

    /** Counter values at a subscriber's previous tick, to turn totals into per-second rates. */
    private static final class Rates {
        private final Map<String, Double> previous = new TreeMap<>();
        private long previousMs;
        private final Map<String, Double> current = new TreeMap<>();

        double perSecond(String key, double total, long now) {
            current.put(key, total);
            Double before = previous.get(key);
            if (before == null || now <= previousMs) {
                return 0;
            }
            return Math.max(0, (total - before) * 1000.0 / (now - previousMs));
        }

        void tick(long now) {
            previous.putAll(current);
            previousMs = now;
        }
    }
}
