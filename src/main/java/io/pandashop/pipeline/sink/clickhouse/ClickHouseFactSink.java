package io.pandashop.pipeline.sink.clickhouse;

import io.pandashop.pipeline.config.Channels;
import io.pandashop.pipeline.config.PipelineConfig;
import io.pandashop.pipeline.enrich.EnrichedBatch;
import io.pandashop.pipeline.enrich.EnrichedEvent;
import io.pandashop.pipeline.enrich.FactColumn;
import io.pandashop.pipeline.enrich.FactChange;
import io.pandashop.pipeline.health.StageThreads;
import io.pandashop.pipeline.sink.ChannelDestination;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.Objects;

/**
 * Writes engagement changes to enriched_engagements, one insert per batch. Each change becomes a row
 * versioned by its source position; a delete, or an update that moves the sorting key (event_ts or
 * content_id), also writes a deleted row under the old key so that no stale row stays visible through FINAL.
 * The destination's channel is {@value Channels#TO_CLICKHOUSE}.
 */
@Singleton // no client proxy: its superclass holds the channel
public class ClickHouseFactSink extends ChannelDestination {

    static final String TABLE = "enriched_engagements";

    /** The fact's columns, then the row's source position and whether it retracts the key. */
    static final List<String> COLUMNS = java.util.stream.Stream.concat(FactColumn.NAMES.stream(),
            java.util.stream.Stream.of("version", "is_deleted")).toList();
    private static final int EVENT_TS = FactColumn.EVENT_TS.ordinal();
    private static final int PERCENT = FactColumn.ENGAGEMENT_PERCENT.ordinal();

    private final RowsInserter inserter;
    private final StageThreads threads;
    private final int maxPartitionsPerInsert;

    public ClickHouseFactSink(RowsInserter inserter, StageThreads threads, PipelineConfig config,
            @Channel(Channels.TO_CLICKHOUSE) @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
            MutinyEmitter<EnrichedBatch> channel,
            @Channel(Channels.TO_CLICKHOUSE) Multi<Message<EnrichedBatch>> consumer) {
        super("clickhouse", channel, consumer);
        this.inserter = inserter;
        this.threads = threads;
        this.maxPartitionsPerInsert = Math.max(1, config.clickhouse().maxPartitionsPerInsert());
    }

    /** One insert per group of at most max-partitions-per-insert days, one after another. */
    @Override
    public Uni<Void> write(EnrichedBatch batch) {
        List<FactChange> changes = batch.changes();
        if (changes.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        threads.running(StageThreads.Stage.CLICKHOUSE_ROWS);
        Uni<Void> inserts = Uni.createFrom().voidItem();
        for (ClickHouseRows rows : rows(changes, maxPartitionsPerInsert)) {
            inserts = inserts.chain(() -> inserter.insert(rows));
        }
        return inserts;
    }

    /**
     * The changes' rows, grouped so that no insert spans more than {@code maxPartitions} partitions (days of
     * event_ts, the table's PARTITION BY). Most writes span a day or two: one insert.
     */
    static List<ClickHouseRows> rows(List<FactChange> changes, int maxPartitions) {
        List<Object[]> all = new ArrayList<>(changes.size() + 16);
        for (FactChange c : changes) {
            EnrichedEvent old = c.previous();
            if (old != null && (c.deleted() || keyMoved(old, c.current()))) {
                all.add(FactColumn.row(old, true, c.lsn(), 1));
            }
            if (!c.deleted()) {
                EnrichedEvent e = c.current();
                Object[] row = FactColumn.row(e, false, c.lsn(), 0);
                row[PERCENT] = percent(e); // Float64 column: the driver's RowBinary writer takes a Double
                all.add(row);
            }
        }
        TreeMap<Long, List<Object[]>> byDay = new TreeMap<>();
        for (Object[] row : all) {
            byDay.computeIfAbsent(day(row), d -> new ArrayList<>()).add(row);
        }
        if (byDay.size() <= maxPartitions) {
            return List.of(insert(all));
        }
        List<ClickHouseRows> inserts = new ArrayList<>();
        List<Object[]> group = new ArrayList<>();
        int days = 0;
        for (List<Object[]> dayRows : byDay.values()) {
            if (days == maxPartitions) {
                inserts.add(insert(group));
                group = new ArrayList<>();
                days = 0;
            }
            group.addAll(dayRows);
            days++;
        }
        inserts.add(insert(group));
        return inserts;
    }

    private static ClickHouseRows insert(List<Object[]> rows) {
        ClickHouseRows.Builder insert = new ClickHouseRows.Builder(TABLE, COLUMNS);
        rows.forEach(insert::row);
        return insert.build();
    }

    /** The row's partition: toDate(event_ts) in UTC. */
    private static long day(Object[] row) {
        return Math.floorDiv(Timestamps.millis((Instant) row[EVENT_TS]), 86_400_000L);
    }

    /** engagement_percent is Float64: the nearest double to the exact 2-decimal value. */
    private static Double percent(EnrichedEvent e) {
        return e.engagementPercent() == null ? null : e.engagementPercent().doubleValue();
    }

    private static boolean keyMoved(EnrichedEvent before, EnrichedEvent after) {
        return Timestamps.millis(before.eventTs()) != Timestamps.millis(after.eventTs())
                || !Objects.equals(before.contentId(), after.contentId());
    }
}
