package io.pandashop.pipeline.sink.redis;

import io.pandashop.pipeline.cdc.JsonText;
import io.pandashop.pipeline.cdc.Op;
import io.pandashop.pipeline.config.PipelineConfig;
import io.pandashop.pipeline.enrich.EnrichedBatch;
import io.pandashop.pipeline.enrich.EnrichedEvent;
import io.pandashop.pipeline.enrich.FactChange;
import io.pandashop.pipeline.health.StageThreads;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.redis.client.impl.RequestImpl;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The script's keys on Redis Cluster: every key of one pipeline hashes to one slot, and a call declares as KEYS
 * every key it touches (no key name travels among its other arguments; the changes name their keys by index).
 */
class ApplyChangesCallTest {

    static final Instant NOW = Instant.parse("2026-11-29T12:00:03Z");
    static final UUID PODCAST = UUID.fromString("11111111-1111-4111-8111-111111111111");
    static final UUID VIDEO = UUID.fromString("22222222-2222-4222-8222-222222222222");

    @Test
    void keysOfOnePipelineHashToOneSlot() {
        LeaderboardKeys keys = new LeaderboardKeys(config("pandashop", 1000));
        assertEquals("{pandashop}:evs:4", keys.eventStates(4100));
        assertEquals("{pandashop}:lb:176453280", keys.leaderboard(176_453_280));
        assertEquals("{pandashop}:stream:video", keys.stream("video"));
        assertEquals("{pandashop}:stream:none", keys.stream(null));
        assertEquals("eu{shop}:lb:7", new LeaderboardKeys(config("eu{shop}", 1000)).leaderboard(7),
                "a prefix with a hash tag is used as is");
        assertEquals("{a{}b}:lb:7", new LeaderboardKeys(config("a{}b", 1000)).leaderboard(7),
                "an empty tag is no tag");

        for (String prefix : List.of("pandashop", "benche2e", "eu{shop}", "a{}b", "x}y{")) {
            LeaderboardKeys k = new LeaderboardKeys(config(prefix, 1000));
            List<String> all = new ArrayList<>(k.window(NOW, k.windowSeconds()));
            for (long id : new long[] { 0, 1023, 1024, 7_000_000_000L }) {
                all.add(k.eventStates(id));
            }
            for (String type : new String[] { "podcast", "video", "newsletter", null }) {
                all.add(k.stream(type));
            }
            int slot = slot(all.get(0));
            for (String key : all) {
                assertEquals(slot, slot(key), prefix + ": " + key + " shares the slot of " + all.get(0));
            }
        }
        // Without the tag, the keys of one pipeline spread over slots (what the tag is for).
        assertFalse(slot("pandashop:lb:176453280") == slot("pandashop:stream:video"));
    }

    @Test
    void aCallDeclaresEveryKeyItTouches() throws Exception {
        LeaderboardKeys keys = new LeaderboardKeys(config("pandashop", 1000));
        RedisLeaderboardSink sink = sink(null, keys, config("pandashop", 1000));
        List<FactChange> changes = sampleChanges(NOW);
        EnrichedBatch batch = EnrichedBatch.of(changes);

        Request request = sink.request(batch, 0, changes.size(), NOW);
        List<byte[]> args = resp(request);
        assertEquals("EVAL", text(args.get(0)).toUpperCase());
        assertEquals(RedisLeaderboardSink.SCRIPT, text(args.get(1)));
        int numkeys = Integer.parseInt(text(args.get(2)));
        List<String> declared = new ArrayList<>();
        for (int i = 3; i < 3 + numkeys; i++) {
            declared.add(text(args.get(i)));
        }
        List<byte[]> argv = args.subList(3 + numkeys, args.size());

        // What the Vert.x client routes by on a cluster: exactly the declared keys.
        List<String> routed = ((RequestImpl) request.getDelegate()).keys().stream().map(ApplyChangesCallTest::text)
                .toList();
        assertEquals(declared, routed);
        assertEquals(declared.size(), new HashSet<>(declared).size(), "each key declared once: " + declared);

        // The buckets that count as of now, oldest first, then the call's state hashes and streams.
        long oldest = keys.oldestBucket(NOW);
        int buckets = (int) (keys.newestBucket(NOW) - oldest + 1);
        assertEquals(60 + 30, buckets, "10 minutes of 10 s buckets, and 5 minutes ahead");
        assertEquals(keys.window(NOW, keys.windowSeconds()), declared.subList(0, buckets));
        Set<String> expectedNamed = Set.of(keys.eventStates(1000), keys.eventStates(1024), keys.eventStates(900_000),
                keys.stream("podcast"), keys.stream("video"), keys.stream(null));
        assertEquals(expectedNamed, new HashSet<>(declared.subList(buckets, declared.size())));
        assertEquals(buckets + 6, numkeys);

        // No key name travels outside KEYS.
        for (byte[] a : argv) {
            assertFalse(text(a).contains("{pandashop}:") || text(a).contains("pandashop:"),
                    "a key name among ARGV: " + text(a));
        }

        // The header, then 9 per change whose indexes lead to the change's own keys.
        assertEquals(List.of("10", "600", "3600", "100000", Long.toString(oldest), Integer.toString(buckets)),
                argv.subList(0, 6).stream().map(ApplyChangesCallTest::text).toList());
        assertEquals(6 + 9 * changes.size(), argv.size());
        for (int c = 0; c < changes.size(); c++) {
            FactChange change = changes.get(c);
            EnrichedEvent shown = change.deleted() ? change.previous() : change.current();
            int at = 6 + 9 * c;
            assertEquals(keys.eventStates(change.eventId()), declared.get(index(argv.get(at)) - 1));
            assertEquals(Long.toString(change.eventId()), text(argv.get(at + 1)));
            assertEquals(Long.toString(change.lsn()), text(argv.get(at + 2)));
            assertEquals(change.op().code(), text(argv.get(at + 3)));
            long bucket = Long.parseLong(text(argv.get(at + 4)));
            assertEquals(keys.countingBucket(shown.eventTs(), NOW), bucket);
            if (bucket >= 0) {
                assertEquals(keys.leaderboard(bucket), declared.get((int) (bucket - oldest)), "KEYS[bucket - oldest + 1]");
            }
            assertEquals(keys.stream(shown.contentType()), declared.get(index(argv.get(at + 7)) - 1));
            assertStreamEntry(change, argv.get(at + 8));
        }

        // A slice (what isolating a refused change sends) declares only its own state hash and stream.
        List<byte[]> one = resp(sink.request(batch, 4, 5, NOW));
        int sliceKeys = Integer.parseInt(text(one.get(2)));
        assertEquals(buckets + 2, sliceKeys);
        assertEquals(Set.of(keys.eventStates(900_000), keys.stream(null)),
                Set.of(text(one.get(3 + buckets)), text(one.get(4 + buckets))));
        assertStreamEntry(changes.get(4), one.get(one.size() - 1));
    }

    /** The stream entry's data: the change's own columns (of the image shown: a delete's is the old one), no more. */
    private static void assertStreamEntry(FactChange change, byte[] data) throws java.io.IOException {
        EnrichedEvent shown = change.deleted() ? change.previous() : change.current();
        com.fasterxml.jackson.databind.JsonNode entry = new com.fasterxml.jackson.databind.ObjectMapper().readTree(data);
        List<String> names = new ArrayList<>();
        entry.fieldNames().forEachRemaining(names::add);
        assertEquals(List.of("event_id", "op", "lsn", "source_ts_ms", "content_id", "user_id", "event_type", "event_ts",
                "duration_ms", "engagement_percent"), names);
        assertEquals(change.eventId(), entry.get("event_id").asLong());
        assertEquals(change.op().code(), entry.get("op").asText());
        assertEquals(change.lsn(), entry.get("lsn").asLong());
        assertEquals(change.sourceTsMs(), entry.get("source_ts_ms").asLong());
        assertEquals(String.valueOf(shown.contentId()), entry.get("content_id").isNull() ? "null"
                : entry.get("content_id").asText());
        assertEquals(shown.userId().toString(), entry.get("user_id").asText());
        assertEquals(shown.eventType(), entry.get("event_type").asText());
        assertEquals(shown.eventTs(), Instant.parse(entry.get("event_ts").asText()));
        assertEquals(shown.durationMs(), entry.get("duration_ms").isNull() ? null : entry.get("duration_ms").asInt());
        if (shown.engagementPercent() == null) {
            assertTrue(entry.get("engagement_percent").isNull());
        } else {
            assertEquals(0, shown.engagementPercent().compareTo(entry.get("engagement_percent").decimalValue()),
                    entry.get("engagement_percent") + " for " + shown.engagementPercent());
        }
    }

    /** Changes over three state hashes and three streams, inside and outside the window, an update and a delete. */
    static List<FactChange> sampleChanges(Instant now) {
        EnrichedEvent e1000 = event(1000, PODCAST, "podcast", now.minusSeconds(30), "4.17");
        EnrichedEvent e1001 = event(1001, VIDEO, "video", now.minusSeconds(45), "12.50");
        EnrichedEvent e1001later = event(1001, VIDEO, "video", now.minusSeconds(5), "20.00");
        EnrichedEvent e1024 = event(1024, PODCAST, "podcast", now.minus(Duration.ofHours(2)), "3.00");
        EnrichedEvent e900000 = event(900_000, null, null, now.minusSeconds(1), null);
        long at = now.toEpochMilli();
        return List.of(
                new FactChange(1000, Op.CREATE, 100, at, 55, e1000, null),
                new FactChange(1001, Op.CREATE, 101, at, 55, e1001, null),
                new FactChange(1001, Op.UPDATE, 102, at, 56, e1001later, e1001),
                new FactChange(1024, Op.READ, 90, at, -1, e1024, null),
                new FactChange(900_000, Op.CREATE, 103, at, 57, e900000, null),
                new FactChange(1000, Op.DELETE, 104, at, 58, null, e1000));
    }

    static EnrichedEvent event(long id, UUID content, String type, Instant at, String percent) {
        return new EnrichedEvent(id, content, UUID.fromString("33333333-3333-4333-8333-333333333333"), "play", at,
                30_000, "ios", JsonText.of("{}"), percent == null ? null : 30.0, percent == null ? null : new BigDecimal(percent),
                content == null ? null : "slug", content == null ? null : "Title", type, content == null ? null : 720,
                Instant.parse("2026-01-01T00:00:00Z"));
    }

    /** The settings the keys and the sink read; the rest of the configuration is not needed here. */
    static PipelineConfig config(String prefix, int changesPerCall) {
        Map<String, Object> redis = Map.of("window", Duration.ofMinutes(10), "bucket", Duration.ofSeconds(10),
                "dedupHorizon", Duration.ofHours(1), "streamMaxLength", 100_000L, "keyPrefix", prefix,
                "changesPerCall", changesPerCall);
        PipelineConfig.Redis redisConfig = (PipelineConfig.Redis) Proxy.newProxyInstance(
                ApplyChangesCallTest.class.getClassLoader(), new Class<?>[] { PipelineConfig.Redis.class },
                (proxy, method, a) -> {
                    if (!redis.containsKey(method.getName())) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    return redis.get(method.getName());
                });
        return (PipelineConfig) Proxy.newProxyInstance(ApplyChangesCallTest.class.getClassLoader(),
                new Class<?>[] { PipelineConfig.class }, (proxy, method, a) -> {
                    if (method.getName().equals("redis")) {
                        return redisConfig;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    /** A sink writing through {@code redis} (null: only its requests are built); no channel. */
    static RedisLeaderboardSink sink(Redis redis, LeaderboardKeys keys, PipelineConfig config) {
        return new RedisLeaderboardSink(dataSource(redis), keys, StageThreads.unregistered(), config, null, null);
    }

    /** A data source that only hands out {@code redis}: all the sink asks of it. */
    static ReactiveRedisDataSource dataSource(Redis redis) {
        return (ReactiveRedisDataSource) Proxy.newProxyInstance(
                ApplyChangesCallTest.class.getClassLoader(), new Class<?>[] { ReactiveRedisDataSource.class },
                (proxy, method, a) -> {
                    if (method.getName().equals("getRedis")) {
                        return redis;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    /** The request's arguments, from its RESP encoding (an array of bulk strings). */
    static List<byte[]> resp(Request request) {
        byte[] encoded = request.getDelegate().toString().getBytes(StandardCharsets.UTF_8);
        int at = 0;
        int end = lineEnd(encoded, at);
        assertEquals('*', encoded[at]);
        int count = Integer.parseInt(new String(encoded, at + 1, end - at - 1, StandardCharsets.US_ASCII));
        at = end + 2;
        List<byte[]> args = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            end = lineEnd(encoded, at);
            assertEquals('$', encoded[at]);
            int length = Integer.parseInt(new String(encoded, at + 1, end - at - 1, StandardCharsets.US_ASCII));
            at = end + 2;
            byte[] arg = new byte[length];
            System.arraycopy(encoded, at, arg, 0, length);
            args.add(arg);
            at += length + 2;
        }
        assertEquals(encoded.length, at, "nothing after the last argument");
        return args;
    }

    private static int lineEnd(byte[] bytes, int from) {
        for (int i = from; i + 1 < bytes.length; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
                return i;
            }
        }
        throw new AssertionError("no line end after " + from);
    }

    private static int index(byte[] arg) {
        return Integer.parseInt(text(arg));
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Redis Cluster's slot of a key: CRC16 (XMODEM) of its hash tag, or of the whole key without one, mod 16384. */
    static int slot(String key) {
        int open = key.indexOf('{');
        if (open >= 0) {
            int close = key.indexOf('}', open + 1);
            if (close > open + 1) {
                key = key.substring(open + 1, close);
            }
        }
        return crc16(key.getBytes(StandardCharsets.UTF_8)) & 16383;
    }

    static int crc16(byte[] bytes) {
        int crc = 0;
        for (byte b : bytes) {
            crc ^= (b & 0xff) << 8;
            for (int i = 0; i < 8; i++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
        }
        return crc & 0xffff;
    }

    @Test
    void crc16IsRedisClusters() {
        assertEquals(0x31C3, crc16("123456789".getBytes(StandardCharsets.US_ASCII)), "the CRC16 test vector");
        assertEquals(slot("foo"), slot("{foo}:bar"));
        // As Redis 7.0's CLUSTER KEYSLOT answers.
        assertEquals(1270, slot("{pandashop}:lb:176453280"));
        assertEquals(15358, slot("pandashop:lb:176453280"));
        assertEquals(9236, slot("pandashop:stream:video"));
        assertTrue(slot("{}foo") != slot("{}bar") || slot("foo") == slot("bar"), "an empty tag hashes the whole key");
    }
}
