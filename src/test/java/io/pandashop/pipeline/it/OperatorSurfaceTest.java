package io.pandashop.pipeline.it;

import com.clickhouse.client.api.Client;
import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.pandashop.pipeline.deploy.MonitoringFiles;
import io.restassured.RestAssured;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What an operator and an API user see: the key metrics moving under traffic, the OpenAPI document, errors. */
@QuarkusTest
class OperatorSurfaceTest {

    @Inject
    Pool pg;
    @Inject
    Client clickHouse;

    @Test
    void freshnessAndLagMetricsMoveUnderTraffic() {
        String[] destinations = {"clickhouse", "redis", "external"};
        java.util.Map<String, Double> before = new java.util.HashMap<>();
        for (String destination : destinations) {
            before.put(destination, freshnessCount(destination));
        }
        EngagementRun run = new EngagementRun(pg, clickHouse);
        run.insertContent(5);
        run.insertEvents(1, 200, 5);
        for (String destination : destinations) {
            await().atMost(Duration.ofSeconds(60)).until(() -> freshnessCount(destination) >= before.get(destination) + 200);
        }
        for (String destination : destinations) {
            assertTrue(Stack.metric("pipeline_sink_batch_size_count", "destination=\"" + destination + "\"") > 0,
                    destination + " batch sizes recorded");
        }
        // the lag gauge is refreshed from the broker every 10 s; once the group caught up it reads 0 everywhere
        await().atMost(Duration.ofSeconds(30)).until(() -> metricsText().contains("pipeline_consumer_lag{"));
        await().atMost(Duration.ofSeconds(60)).until(() -> Stack.metric("pipeline_consumer_lag", "topic=") == 0);
        assertTrue(metricsText().contains("pipeline_channel_buffered{destination=\"redis\"}"));

        // Every metric the shipped Grafana dashboard and alert rules query is one the service exports.
        java.util.Set<String> exported = new java.util.TreeSet<>();
        for (String line : metricsText().split("\n")) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^((?:pipeline|agroal)_[a-z_]+?)(_bucket|_count|_sum|_max)?[{ ]")
                    .matcher(line);
            if (m.find()) {
                exported.add(m.group(1));
                exported.add(m.group(1) + (m.group(2) == null ? "" : m.group(2)));
            }
        }
        java.util.Set<String> queried = new java.util.TreeSet<>(MonitoringFiles.dashboardMetrics());
        queried.addAll(MonitoringFiles.alertMetrics());
        assertTrue(queried.size() > 10, "the dashboard and the rules query the pipeline's metrics: " + queried);
        java.util.Set<String> missing = new java.util.TreeSet<>(queried);
        missing.removeAll(exported);
        assertEquals(java.util.Set.of(), missing, "queried but not exported; exported: " + exported);
    }

    @Test
    void everyEndpointIsDescribedInOpenApi() throws Exception {
        JsonNode doc = Stack.JSON.readTree(RestAssured.given().get("/q/openapi?format=json").then().statusCode(200)
                .extract().asString());
        JsonNode top = doc.path("paths").path("/api/top-content").path("get");
        assertTrue(top.path("summary").asText().contains("engaged"), top.toString());
        assertTrue(top.path("parameters").toString().contains("\"limit\""), top.toString());
        assertTrue(top.path("responses").has("400"), top.toString());
        assertTrue(doc.path("paths").path("/api/engagement/daily").path("get").path("responses").has("200"));
        int operations = 0;
        for (var path = doc.path("paths").fields(); path.hasNext(); ) {
            var entry = path.next();
            if (!entry.getKey().startsWith("/api/") && !entry.getKey().startsWith("/admin/")) {
                continue;
            }
            for (var op = entry.getValue().fields(); op.hasNext(); ) {
                var operation = op.next();
                String where = operation.getKey() + " " + entry.getKey();
                assertFalse(operation.getValue().path("summary").asText().isBlank(), where + " has a summary");
                assertTrue(operation.getValue().path("responses").size() > 0, where + " lists its responses");
                operations++;
            }
        }
        assertTrue(operations >= 7, "top-content, daily, dashboard stream and four backfill operations: " + operations);
        JsonNode start = doc.path("paths").path("/admin/backfill").path("post");
        assertTrue(start.path("responses").has("202") && start.path("responses").has("401")
                && start.path("responses").has("409"), start.toString());
        assertTrue(start.path("security").toString().contains("admin-token"), start.toString());
        assertTrue(doc.path("components").path("securitySchemes").path("admin-token").path("scheme").asText()
                .equals("bearer"), doc.path("components").toString());
    }

    @Test
    void errorsAreProblemDetails() {
        RestAssured.given().get("/api/top-content?limit=0").then().statusCode(400)
                .contentType(containsString("application/problem+json"))
                .body("status", equalTo(400))
                .body("title", equalTo("Bad Request"))
                .body("detail", containsString("limit"))
                .body("instance", equalTo("/api/top-content"));
    }

    private static double freshnessCount(String destination) {
        return Stack.metric("pipeline_freshness_seconds_count", "destination=\"" + destination + "\"");
    }

    private static String metricsText() {
        return RestAssured.given().get("/q/metrics").then().statusCode(200).extract().asString();
    }
}
