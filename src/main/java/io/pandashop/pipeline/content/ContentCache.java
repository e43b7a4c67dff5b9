package io.pandashop.pipeline.content;

import io.pandashop.pipeline.cdc.ContentRow;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.pandashop.pipeline.config.PipelineConfig;
import jakarta.inject.Singleton;

import java.util.Iterator;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This instance's view of public.content. Every entry carries the source position it is valid at, so an
 * older change (a replayed record, or one overtaken by a fresher PostgreSQL read) never replaces a newer one.
 */
@Singleton // called per record: no client proxy in the way
public class ContentCache {

    /** A content row as of a source position; row is null when the content was deleted. */
    public record Entry(ContentRow row, long version) {
    }

    private final ConcurrentHashMap<UUID, Entry> entries = new ConcurrentHashMap<>();
    private final int maxEntries;

    public ContentCache(PipelineConfig config, MeterRegistry registry) {
        this.maxEntries = config.content().cacheMaxEntries();
        registry.gaugeMapSize("pipeline.content.cache.size", Tags.empty(), entries);
    }

    public Entry get(UUID id) {
        return entries.get(id);
    }

    /** Keeps whichever of the current and the offered entry is newer. */
    public void offer(UUID id, ContentRow row, long version) {
        entries.merge(id, new Entry(row, version), (old, neu) -> neu.version() >= old.version() ? neu : old);
        if (entries.size() > maxEntries) {
            evictSome();
        }
    }

    /** Forgets a row: the next lookup of it reads PostgreSQL. */
    public void invalidate(UUID id) {
        entries.remove(id);
    }

    // Bounded memory: drop about a tenth; evicted rows are read again from PostgreSQL when needed.
    private void evictSome() {
        int toDrop = Math.max(1, maxEntries / 10);
        Iterator<UUID> it = entries.keySet().iterator();
        while (toDrop-- > 0 && it.hasNext()) {
            it.next();
            it.remove();
        }
    }
}
