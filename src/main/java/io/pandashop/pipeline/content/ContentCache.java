package io.pandashop.pipeline.content;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.pandashop.pipeline.cdc.ContentRow;
import io.pandashop.pipeline.config.PipelineConfig;
import jakarta.inject.Singleton;

import java.util.UUID;

/**
 * This instance's view of public.content, bounded by size (pipeline.content.cache-max-entries) with Caffeine's
 * eviction (frequency and recency, so hot rows stay). Every entry carries the source position it is valid at, so
 * an older change (a replayed record, or one overtaken by a fresher PostgreSQL read) never replaces a newer one;
 * an evicted row is read again from PostgreSQL when needed.
 */
@Singleton // called per record: no client proxy in the way
public class ContentCache {

    /** A content row as of a source position; row is null when the content was deleted. */
    public record Entry(ContentRow row, long version) {
    }

    private final Cache<UUID, Entry> entries;

    @jakarta.inject.Inject
    public ContentCache(PipelineConfig config, MeterRegistry registry) {
        this(config.content().cacheMaxEntries(), registry);
    }

    ContentCache(int maxEntries, MeterRegistry registry) {
        // Maintenance (eviction) on the calling thread: no pool of its own, and the bound holds as it is written.
        this.entries = Caffeine.newBuilder().maximumSize(maxEntries).executor(Runnable::run).build();
        registry.gauge("pipeline.content.cache.size", Tags.empty(), entries, Cache::estimatedSize);
    }

    public Entry get(UUID id) {
        return entries.getIfPresent(id);
    }

    /** Keeps whichever of the current and the offered entry is newer. */
    public void offer(UUID id, ContentRow row, long version) {
        entries.asMap().compute(id, (key, old) -> old == null || version >= old.version() ? new Entry(row, version) : old);
    }

    /** Forgets a row: the next lookup of it reads PostgreSQL. */
    public void invalidate(UUID id) {
        entries.invalidate(id);
    }

    /** Runs pending evictions now (tests). */
    void cleanUp() {
        entries.cleanUp();
    }
}
