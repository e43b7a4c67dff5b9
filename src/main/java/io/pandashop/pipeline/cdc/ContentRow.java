package io.pandashop.pipeline.cdc;

import java.time.Instant;
import java.util.UUID;

/** A row of public.content. */
public record ContentRow(UUID id, String slug, String title, String contentType, Integer lengthSeconds,
        Instant publishTs) {
}
