package io.pandashop.pipeline.enrich;

import io.pandashop.pipeline.cdc.Change;
import io.pandashop.pipeline.cdc.ContentRow;
import io.pandashop.pipeline.cdc.EngagementRow;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Source changes of engagement events, joined with their content rows: the one enrichment every path uses. */
public final class FactChanges {

    private FactChanges() {
    }

    /** @param contents content rows by id; an event whose content is not among them has none (LEFT JOIN) */
    public static List<FactChange> enrich(List<Change<EngagementRow>> changes, Map<UUID, ContentRow> contents) {
        List<FactChange> facts = new ArrayList<>(changes.size());
        for (Change<EngagementRow> c : changes) {
            EngagementRow row = c.latest();
            facts.add(new FactChange(row.id(), c.op(), c.lsn(), c.tsMs(), c.txId(),
                    c.after() == null ? null : Enricher.enrich(c.after(), contentOf(c.after(), contents)),
                    c.before() == null ? null : Enricher.enrich(c.before(), contentOf(c.before(), contents))));
        }
        return facts;
    }

    private static ContentRow contentOf(EngagementRow row, Map<UUID, ContentRow> contents) {
        return row.contentId() == null ? null : contents.get(row.contentId());
    }
}
