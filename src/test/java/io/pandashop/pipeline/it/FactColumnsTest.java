package io.pandashop.pipeline.it;

import com.clickhouse.client.api.Client;
import io.pandashop.pipeline.enrich.FactColumn;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The fact's columns as the code names them (FactColumn) are the live table's, in its order (schema.sql). */
@QuarkusTest
class FactColumnsTest {

    @Inject
    Client clickHouse;

    @Test
    void theCodesColumnsAreTheTablesInItsOrder() {
        List<String> table = new ArrayList<>();
        clickHouse.queryAll("SELECT name FROM system.columns WHERE database = 'app' AND table = 'enriched_engagements'"
                + " ORDER BY position").forEach(r -> table.add(r.getString("name")));
        List<String> expected = new ArrayList<>(FactColumn.NAMES);
        // Written by the sink with every row (its source position and retraction flag), or filled by ClickHouse.
        expected.addAll(List.of("loaded_at", "version", "is_deleted"));
        assertEquals(expected, table);
    }
}
