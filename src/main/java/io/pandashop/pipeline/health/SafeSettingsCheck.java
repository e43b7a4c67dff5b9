package io.pandashop.pipeline.health;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Settings of the source and of Redis that exactness depends on (README, "Durability and the settings the pipeline
 * needs"), read at start and again at most every 10 s while readiness is asked:
 * <ul>
 * <li>the source tables' REPLICA IDENTITY must be FULL: without the before image an update that moves event_ts or
 * content_id leaves a stale row in ClickHouse and a stale score in Redis;</li>
 * <li>Redis's maxmemory-policy must be noeviction: an evicted event state would count that event twice.</li>
 * </ul>
 * Not ready, naming the table or setting, while one is unsafe; one log line when it turns unsafe. A Redis that
 * refuses CONFIG (a managed service) is reported as unknown and trusted.
 */
@Readiness
@ApplicationScoped
public class SafeSettingsCheck implements AsyncHealthCheck {

    private static final Logger LOG = Logger.getLogger(SafeSettingsCheck.class);
    private static final List<String> SOURCE_TABLES = List.of("content", "engagement_events");
    private static final Duration REFRESH = Duration.ofSeconds(10);
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final Pool pg;
    private final ReactiveRedisDataSource redis;
    private volatile Map<String, String> unsafe = Map.of();
    private volatile Map<String, String> seen = Map.of();
    private volatile long checkedAt;

    public SafeSettingsCheck(Pool pg, ReactiveRedisDataSource redis) {
        this.pg = pg;
        this.redis = redis;
    }

    void atStart(@Observes StartupEvent event) {
        refresh().subscribe().with(ok -> {
        }, e -> {
        });
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        Uni<Void> fresh = System.currentTimeMillis() - checkedAt > REFRESH.toMillis() ? refresh()
                : Uni.createFrom().voidItem();
        return fresh.map(v -> {
            HealthCheckResponseBuilder response = HealthCheckResponse.named("Safe settings").up();
            seen.forEach(response::withData);
            if (!unsafe.isEmpty()) {
                response.down();
            }
            return response.build();
        });
    }

    private Uni<Void> refresh() {
        return Uni.combine().all().unis(replicaIdentities(), evictionPolicy()).with((tables, policy) -> {
            Map<String, String> found = new LinkedHashMap<>(tables);
            found.put("redis maxmemory-policy", policy);
            Map<String, String> bad = new LinkedHashMap<>();
            for (String table : SOURCE_TABLES) {
                String identity = found.getOrDefault("replica identity of " + table, "unknown");
                if (!identity.equals("full") && !identity.startsWith("unknown")) {
                    bad.put(table, "REPLICA IDENTITY " + identity.toUpperCase() + ": updates and deletes lack the before "
                            + "image, so a moved or deleted event stays counted; ALTER TABLE " + table
                            + " REPLICA IDENTITY FULL");
                }
            }
            if (!policy.equals("noeviction") && !policy.startsWith("unknown")) {
                bad.put("redis", "maxmemory-policy " + policy + ": an evicted event state counts the event twice; "
                        + "CONFIG SET maxmemory-policy noeviction");
            }
            bad.forEach((what, why) -> {
                if (!unsafe.containsKey(what)) {
                    LOG.warnf("unsafe setting: %s %s", what, why);
                }
            });
            bad.forEach((what, why) -> found.put("UNSAFE " + what, why));
            seen = found;
            unsafe = bad;
            checkedAt = System.currentTimeMillis();
            return null;
        });
    }

    private Uni<Map<String, String>> replicaIdentities() {
        return pg.query("SELECT c.relname, c.relreplident::text AS identity FROM pg_class c "
                        + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' "
                        + "AND c.relname IN ('content', 'engagement_events')").execute()
                .map(rows -> {
                    Map<String, String> identities = new LinkedHashMap<>();
                    for (Row r : rows) {
                        identities.put("replica identity of " + r.getString("relname"), identity(r.getString("identity")));
                    }
                    return identities;
                })
                .ifNoItem().after(TIMEOUT).fail()
                .onFailure().recoverWithItem(e -> Map.of("replica identity", "unknown (PostgreSQL: "
                        + e.getClass().getSimpleName() + ")"));
    }

    private Uni<String> evictionPolicy() {
        return redis.execute("CONFIG", "GET", "maxmemory-policy")
                .map(SafeSettingsCheck::policy)
                .ifNoItem().after(TIMEOUT).fail()
                .onFailure().recoverWithItem(e -> "unknown (" + e.getClass().getSimpleName() + ")");
    }

    private static String policy(Response reply) {
        // RESP2: [name, value]; RESP3: {name: value}
        if (reply == null) {
            return "unknown";
        }
        if (reply.containsKey("maxmemory-policy")) {
            return reply.get("maxmemory-policy").toString();
        }
        return reply.size() >= 2 ? reply.get(1).toString() : "unknown";
    }

    private static String identity(String code) {
        return switch (code) {
            case "f" -> "full";
            case "d" -> "default";
            case "n" -> "nothing";
            case "i" -> "index";
            default -> code;
        };
    }
}
