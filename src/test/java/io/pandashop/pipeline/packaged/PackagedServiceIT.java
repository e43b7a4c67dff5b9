package io.pandashop.pipeline.packaged;

import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * The packaged artifact (the jar here; the native executable with -Dnative, wherever it can be built), started by
 * Quarkus in the test profile against the test stack: what must hold in any build, in particular what native
 * builds break when a class is not registered (JSON bodies, the Redis script and SQL resources loaded at run time).
 */
@QuarkusIntegrationTest
class PackagedServiceIT {

    @Test
    void readyWithEveryDependency() {
        RestAssured.given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body(containsString("Pipeline dependencies"));
    }

    @Test
    void jsonBodiesSerialiseBothWays() {
        RestAssured.given().get("/api/top-content?limit=3").then().statusCode(200);
        RestAssured.given().get("/api/engagement/daily?days=2").then().statusCode(200);
        RestAssured.given().get("/api/top-content?limit=0").then().statusCode(400)
                .contentType(containsString("application/problem+json")).body("status", equalTo(400));
        // A request body in (Jackson reads a record), a status body out.
        RestAssured.given().header("Authorization", "Bearer test-admin-token").contentType("application/json")
                .body("{\"from\":\"2000-01-01T00:00:00Z\",\"to\":\"2000-01-01T00:00:01Z\",\"content_type\":\"video\"}")
                .post("/admin/backfill").then().statusCode(202).body("content_type", equalTo("video"));
    }

    @Test
    void metricsAndOpenApiAreServed() {
        RestAssured.given().get("/q/metrics").then().statusCode(200).body(containsString("pipeline_content_cache_size"));
        RestAssured.given().get("/q/openapi?format=json").then().statusCode(200)
                .body(containsString("/admin/backfill"));
    }
}
