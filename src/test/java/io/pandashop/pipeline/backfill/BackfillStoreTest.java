package io.pandashop.pipeline.backfill;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The shared state's key names, and a status as read from a backfill's hash (rate and ETA computed then). */
class BackfillStoreTest {

    @Test
    void keysCarryThePrefixAsAHashTag() {
        assertEquals("{pandashop}", BackfillKeys.tagged("pandashop"));
        assertEquals("{shop}-eu", BackfillKeys.tagged("{shop}-eu"), "a prefix with a tag is kept");
        assertEquals("{a{}b}", BackfillKeys.tagged("a{}b"), "an empty tag is no tag");
    }

    @Test
    void rateAndEtaAreComputedWhenRead() {
        Map<String, String> h = new HashMap<>(Map.of("id", "x", "state", "RUNNING", "from", "2026-11-01T00:00:00Z",
                "to", "2026-11-02T00:00:00Z", "started_at", "2026-12-01T10:00:00Z", "rows_done", "1000"));
        BackfillStatus waiting = BackfillStore.status(h, Instant.parse("2026-12-01T10:00:10Z"));
        assertNull(waiting.rowsTotal());
        assertNull(waiting.etaSeconds(), "no ETA before the rows are counted");
        h.put("rows_total", "3000");
        h.put("source_lsn", "42");
        BackfillStatus running = BackfillStore.status(h, Instant.parse("2026-12-01T10:00:10Z"));
        assertEquals(100.0, running.rowsPerSecond());
        assertEquals(20L, running.etaSeconds());
        assertEquals(List.of(), running.errors());

        h.putAll(Map.of("state", "FAILED", "finished_at", "2026-12-01T10:00:05Z", "error", BackfillStore.LEASE_EXPIRED));
        BackfillStatus failed = BackfillStore.status(h, Instant.parse("2026-12-01T11:00:00Z"));
        assertEquals(200.0, failed.rowsPerSecond(), "up to its end, not to the time of reading");
        assertNull(failed.etaSeconds());
        assertEquals(List.of("the replica running it stopped: lease expired"), failed.errors());
    }
}
