package io.pandashop.pipeline.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithDefaults;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Every tunable of the pipeline in one place; defaults suit the local stack. */
@ConfigMapping(prefix = "pipeline")
public interface PipelineConfig {

    /** Debezium's topic.prefix: the CDC topics are <prefix>.public.<table>. */
    @WithDefault("pandashop")
    String topicPrefix();

    /** The consumer group of the shared channels; the per-channel groups derive from it. */
    @WithDefault("pandashop-pipeline")
    String consumerGroup();

    ClickHouse clickhouse();

    Redis redis();

    External external();

    Content content();

    FanOut fanOut();

    /**
     * Each destination by its name (clickhouse, redis, external): pipeline.destinations.NAME.*. A name without
     * settings gets the defaults.
     */
    @WithDefaults
    Map<String, Destination> destinations();

    /** Retries of a dependency that is down (every destination, PostgreSQL lookups, dead-letter writes). */
    Retry retry();

    Backfill backfill();

    Admin admin();

    DeadLetter deadLetter();

    interface DeadLetter {
        /**
         * A value larger than this goes to the dead-letter topic as a truncated copy (headers name the original's
         * position and size): below the producer's max.request.size (1 MiB) with room for key and headers.
         */
        @WithDefault("900000")
        int maxValueBytes();
    }

    interface Backfill {
        /** Rows per cursor read; each page travels through the pipeline as one batch. */
        @WithDefault("2000")
        int pageSize();

        /** Pages read and not yet taken by every destination; bounds the backfill's memory. */
        @WithDefault("4")
        int maxPagesInFlight();

        /** How long a backfill waits at most for transactions open since before it started to end. */
        @WithDefault("PT5M")
        Duration startTimeout();

        /** Finished backfills kept for GET /admin/backfill. */
        @WithDefault("20")
        int history();

        /**
         * TTL of the lease the replica running a backfill holds, renewed every third of it. If that replica dies, its
         * backfill reads as FAILED at most this long after, and a new one can start.
         */
        @WithDefault("PT15S")
        Duration lease();
    }

    interface Admin {
        /**
         * Bearer token of the /admin endpoints (PIPELINE_ADMIN_TOKEN). Without one they answer 401 to every
         * request. Never logged.
         */
        Optional<String> token();
    }

    interface FanOut {
        /**
         * Enriched batches handed to the destinations and not yet acknowledged by all of them. When this many are
         * in flight the fan-out stops taking batches, so the Kafka consumer pauses: this bounds memory.
         */
        @WithDefault("4")
        int maxInFlight();

        /**
         * The same bound in bytes of the source records in flight (Kafka values), so a few huge rows cannot exhaust
         * the heap: past it the fan-out waits too. A single batch larger than this still goes, alone.
         */
        @WithDefault("12582912")
        long maxInFlightBytes();
    }

    interface Destination {
        /** Off: the fan-out sends this destination nothing, and offsets no longer wait for it. */
        @WithDefault("true")
        boolean enabled();

        /** At most this many enriched batches (each one Kafka poll, up to max.poll.records rows) per write. */
        @WithDefault("4")
        int maxBatches();

        /** How long a write waits at most for more batches before it goes with what it has. */
        @WithDefault("PT0.1S")
        Duration maxWait();
    }

    interface Retry {
        /** First delay after a failure; it doubles up to max-backoff, with 20 % jitter, for as long as it takes. */
        @WithDefault("PT0.2S")
        Duration initialBackoff();

        @WithDefault("PT10S")
        Duration maxBackoff();

        /**
         * A single record a destination refuses is tried this many times in all (with the same backoff) before it
         * is parked on the dead-letter topic: a refusal is not an outage, so it is never retried for long.
         */
        @WithDefault("2")
        int rejectedAttempts();
    }

    /** The service's ClickHouse settings; the connection is the datasource quarkus.datasource.clickhouse.*. */
    interface ClickHouse {
        /** The database of the service's tables: schema.sql's ${database}, and the datasource URL's database. */
        @WithDefault("app")
        String database();

        /** Applies the DDL at start; turn off where a DBA owns the schema. */
        @WithDefault("true")
        boolean applySchema();

        /**
         * Partitions (days of event_ts) one insert may touch: a write spanning more is split by partition, since
         * ClickHouse refuses an insert over max_partitions_per_insert_block (100 by default). Keep it at or below
         * the server's setting.
         */
        @WithDefault("100")
        int maxPartitionsPerInsert();
    }

    interface Redis {
        /** The leaderboard window, by event time. */
        @WithDefault("PT10M")
        Duration window();

        /**
         * Width of one leaderboard bucket; the window is a whole number of buckets, so its oldest edge is exact to
         * within one bucket.
         */
        @WithDefault("PT10S")
        Duration bucket();

        /** How long a processed source position is remembered, so replays change nothing. */
        @WithDefault("PT1H")
        Duration dedupHorizon();

        /** Approximate bound of each per-content-type stream. */
        @WithDefault("100000")
        long streamMaxLength();

        /**
         * Every Redis key of the pipeline starts with it as a hash tag, {@code {<prefix>}:}, so all of them hash to
         * one Redis Cluster slot (a prefix that already holds a non-empty {@code {...}} is used as is).
         */
        @WithDefault("pandashop")
        String keyPrefix();

        /**
         * Changes per script call. A write sends its calls pipelined; each is atomic, and short enough not to hold
         * Redis (single-threaded) from the API's reads for long.
         */
        @WithDefault("1000")
        int changesPerCall();
    }

    interface External {
        /** Name of the authentication header sent with every request. */
        @WithDefault("Authorization")
        String authHeader();

        /** Its value; empty sends no header. Never logged. */
        Optional<String> authValue();

        /** Events per POST. */
        @WithDefault("1000")
        int batchSize();
    }

    interface Content {
        /** Upper bound of cached content rows (Caffeine evicts by frequency and recency past it). */
        @WithDefault("200000")
        int cacheMaxEntries();

        /** How long a batch of events waits at most for the content cache to catch up with the content topic. */
        @WithDefault("PT2S")
        Duration barrierTimeout();
    }
}
