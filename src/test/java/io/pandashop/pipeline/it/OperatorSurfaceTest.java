package io.pandashop.pipeline.it;

import com.clickhouse.client.api.Client;
import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
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
        double before = Stack.metric("pipeline_freshness_seconds_count", "destination=\"redis\"");
        EngagementRun run = new EngagementRun(pg, clickHouse);
        run.insertContent(5);
        run.insertEvents(1, 200, 5);
        await().atMost(Duration.ofSeconds(60))
                .until(() -> Stack.metric("pipeline_freshness_seconds_count", "destination=\"redis\"") >= before + 200);
        for (String destination : new String[] {"clickhouse", "redis", "external"}) {
            assertTrue(Stack.metric("pipeline_freshness_seconds_count", "destination=\"" + destination + "\"") > 0,
                    destination + " freshness recorded");
            assertTrue(Stack.metric("pipeline_sink_batch_size_count", "destination=\"" + destination + "\"") > 0,
                    destination + " batch sizes recorded");
        }
        // the lag gauge is refreshed from the broker every 10 s; once the group caught up it reads 0 everywhere
        await().atMost(Duration.ofSeconds(30)).until(() -> metricsText().contains("pipeline_consumer_lag{"));
        await().atMost(Duration.ofSeconds(60)).until(() -> Stack.metric("pipeline_consumer_lag", "topic=") == 0);
        assertTrue(metricsText().contains("pipeline_channel_buffered{destination=\"redis\"}"));
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

    private static String metricsText() {
        return RestAssured.given().get("/q/metrics").then().statusCode(200).extract().asString();
    }
}
