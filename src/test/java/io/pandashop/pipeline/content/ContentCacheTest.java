package io.pandashop.pipeline.content;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pandashop.pipeline.cdc.ContentRow;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContentCacheTest {

    private static ContentRow row(UUID id, String title) {
        return new ContentRow(id, "slug-" + id, title, "video", 100, Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Test
    void theNewestVersionWinsWhateverTheOrder() {
        ContentCache cache = new ContentCache(100, new SimpleMeterRegistry());
        UUID id = UUID.randomUUID();
        cache.offer(id, row(id, "v2"), 20);
        cache.offer(id, row(id, "v1"), 10); // a replay of an older change
        assertEquals("v2", cache.get(id).row().title());
        cache.offer(id, null, 30); // deleted
        assertNull(cache.get(id).row());
        cache.invalidate(id);
        assertNull(cache.get(id));
    }

    @Test
    void boundedBySizeAndAHotRowStays() {
        ContentCache cache = new ContentCache(1_000, new SimpleMeterRegistry());
        UUID hot = UUID.randomUUID();
        cache.offer(hot, row(hot, "hot"), 1);
        for (int i = 0; i < 20_000; i++) {
            UUID id = UUID.randomUUID();
            cache.offer(id, row(id, "cold"), 1);
            if (i % 10 == 0) {
                assertNotNull(cache.get(hot)); // read often
            }
        }
        cache.cleanUp();
        assertNotNull(cache.get(hot), "the frequently read row survives the eviction of 19,000 others");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ContentCache bounded = new ContentCache(1_000, registry);
        for (int i = 0; i < 5_000; i++) {
            UUID id = UUID.randomUUID();
            bounded.offer(id, row(id, "x"), 1);
        }
        bounded.cleanUp();
        double size = registry.get("pipeline.content.cache.size").gauge().value();
        assertTrue(size <= 1_000, "bounded: " + size);
    }
}
