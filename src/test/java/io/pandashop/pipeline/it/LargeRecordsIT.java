package io.pandashop.pipeline.it;

import com.clickhouse.client.api.Client;
import io.pandashop.pipeline.packaged.PackagedService;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Memory is bounded in bytes: 300 events with a 900 KB raw_payload each, through Debezium, into the packaged service
 * with the image's heap (-Xmx256m). It stays up, every event lands in ClickHouse and reaches the external system,
 * and its peak RSS is printed.
 */
class LargeRecordsIT {

    private static final int EVENTS = 300;
    private static final int PAYLOAD_BYTES = 900 * 1024;

    @Test
    void threeHundredEventsOf900KbLandWithTheImagesHeap() throws Exception {
        Vertx vertx = Vertx.vertx();
        Pool pg = StackClients.postgres(vertx);
        String run = UUID.randomUUID().toString();
        try (RecordingReceiver receiver = new RecordingReceiver();
                Client clickHouse = StackClients.clickHouse();
                PackagedService service = PackagedService.start("large-records", Map.of(
                        "CONSUMER_GROUP", "large-records-" + run, "KAFKA_AUTO_OFFSET_RESET", "latest",
                        "EXTERNAL_URL", receiver.url()))) {
            service.awaitReady(Duration.ofSeconds(120));
            // One small event first, until it arrives: the group is then placed on every partition it reads.
            insert(pg, run, 0, 1, 10);
            await().atMost(Duration.ofSeconds(60)).until(() -> count(clickHouse, pg, run) == 1);
            for (int from = 1; from <= EVENTS; from += 30) {
                insert(pg, run, from, 30, PAYLOAD_BYTES);
            }
            Set<Long> ids = ids(pg, run);
            assertEquals(EVENTS + 1, ids.size());
            await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofSeconds(2))
                    .until(() -> count(clickHouse, pg, run) == EVENTS + 1);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                for (long id : ids) {
                    if (!receiver.keysOfChange.containsKey(id + ":c")) {
                        return false;
                    }
                }
                return true;
            });
            assertTrue(service.alive(), "the service stays up");
            assertEquals(200, service.status("/q/health/live"));
            long peakKb = vmHwmKb(service.pid());
            System.out.printf("large records: %d events of %d KB landed in ClickHouse and at the receiver; service peak "
                    + "RSS %d MB (-Xmx256m)%n", EVENTS, PAYLOAD_BYTES / 1024, peakKb / 1024);
        } finally {
            pg.closeAndAwait();
            vertx.closeAndAwait();
        }
    }

    private static void insert(Pool pg, String run, int from, int count, int padding) {
        pg.preparedQuery("""
                INSERT INTO engagement_events (content_id, user_id, event_type, event_ts, duration_ms, device, raw_payload)
                SELECT NULL, gen_random_uuid(), 'play', now(), 1000, 'web',
                       jsonb_build_object('run', $1::text, 'i', i, 'pad', repeat('x', $4::int))
                FROM generate_series($2::int, $2::int + $3::int - 1) i""").execute(Tuple.of(run, from, count, padding))
                .await().indefinitely();
    }

    private static Set<Long> ids(Pool pg, String run) {
        Set<Long> ids = new HashSet<>();
        for (Row r : pg.preparedQuery("SELECT id FROM engagement_events WHERE raw_payload->>'run' = $1")
                .execute(Tuple.of(run)).await().indefinitely()) {
            ids.add(r.getLong("id"));
        }
        return ids;
    }

    private static long count(Client clickHouse, Pool pg, String run) {
        Set<Long> ids = ids(pg, run);
        long min = ids.stream().min(Long::compare).orElse(0L);
        long max = ids.stream().max(Long::compare).orElse(0L);
        return clickHouse.queryAll("SELECT toInt64(count()) AS n FROM app.enriched_engagements_current WHERE event_id "
                + "BETWEEN " + min + " AND " + max).get(0).getLong("n");
    }

    private static long vmHwmKb(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }
}
