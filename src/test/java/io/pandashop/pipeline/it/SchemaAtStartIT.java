package io.pandashop.pipeline.it;

import io.pandashop.pipeline.packaged.PackagedService;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged service started while ClickHouse is down (as a pod can be on Kubernetes): it must not exit (a
 * crash loop), must say it is not ready and why, stay live, and become ready by itself once ClickHouse is back
 * and its schema applied.
 */
class SchemaAtStartIT {

    @Test
    void startsWithoutClickHouseAndBecomesReadyWhenItIsBack() throws Exception {
        StackControl.stop("clickhouse");
        try (PackagedService service = PackagedService.start("no-clickhouse",
                Map.of("CONSUMER_GROUP", "pandashop-pipeline-test"))) {
            try {
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                        .until(() -> service.status("/q/health/live") == 200);
                // Several schema attempts fail meanwhile, and readiness counts them.
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                            "clickhouse \\(schema\\)\"\\s*:\\s*\"DOWN for \\d+ s, (\\d+) attempts failed")
                            .matcher(service.body("/q/health/ready"));
                    return m.find() && Integer.parseInt(m.group(1)) >= 3;
                });
                assertTrue(service.alive(), "it keeps running:\n" + service.tail());
                assertEquals(503, service.status("/q/health/ready"));
                assertEquals(200, service.status("/q/health/live"), "an outage is not a reason to restart it");
            } finally {
                StackControl.start("clickhouse");
            }
            service.awaitReady(Duration.ofSeconds(60));
            assertTrue(service.tail().contains("ClickHouse schema applied"), service.tail());
        }
    }
}
