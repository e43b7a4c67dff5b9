package io.pandashop.pipeline.content;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pandashop.pipeline.cdc.ContentRow;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Resolves content rows for a batch of events: from the cache, the misses in one PostgreSQL query. */
@ApplicationScoped
public class ContentLookup {

    private final ContentCache cache;
    private final PostgresContentReader reader;
    private final Counter cacheHits;
    private final Counter databaseReads;

    public ContentLookup(ContentCache cache, PostgresContentReader reader, MeterRegistry registry) {
        this.cache = cache;
        this.reader = reader;
        this.cacheHits = registry.counter("pipeline.content.lookups", "source", "cache");
        this.databaseReads = registry.counter("pipeline.content.lookups", "source", "postgresql");
    }

    /** @return the content row of every id that exists; ids of missing or deleted rows are absent */
    public Uni<Map<UUID, ContentRow>> resolve(Set<UUID> ids) {
        Map<UUID, ContentRow> found = new HashMap<>(ids.size() * 2);
        Set<UUID> misses = new HashSet<>();
        for (UUID id : ids) {
            ContentCache.Entry e = cache.get(id);
            if (e == null) {
                misses.add(id);
            } else if (e.row() != null) {
                found.put(id, e.row());
            }
        }
        cacheHits.increment(ids.size() - misses.size());
        if (misses.isEmpty()) {
            return Uni.createFrom().item(found);
        }
        databaseReads.increment(misses.size());
        return reader.read(misses).map(snapshot -> {
            for (ContentRow row : snapshot.rows()) {
                cache.offer(row.id(), row, snapshot.walLsn());
                found.put(row.id(), row);
            }
            return found;
        });
    }
}
