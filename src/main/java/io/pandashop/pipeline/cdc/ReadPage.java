package io.pandashop.pipeline.cdc;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Engagement rows read from the source tables directly (a backfill), not from the change stream, each as a READ
 * change, with the content rows they join.
 *
 * @param contents the joined content rows by id; an event whose content is absent has none (LEFT JOIN)
 */
public record ReadPage(List<Change<EngagementRow>> changes, Map<UUID, ContentRow> contents) {
}
