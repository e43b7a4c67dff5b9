package io.pandashop.pipeline.packaged;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JVM image's start, without a container runtime: target/quarkus-app laid out by Dockerfile.jvm's COPY lines,
 * started with its WORKDIR, ENV and ENTRYPOINT, as a user that is not root, must become ready against the test
 * stack on the port the image exposes and the probes use, and stop cleanly on SIGTERM.
 */
class ImageEntrypointIT {

    @Test
    void theImageEntrypointStartsTheServiceReadyAndStopsItCleanly() throws Exception {
        PackagedService.ImageSpec spec = PackagedService.ImageSpec.read(PackagedService.DOCKERFILE);
        assertNotEquals("root", spec.user(), "the image runs as a user that is not root");
        assertNotEquals("0", spec.user());
        assertEquals(java.util.List.of(8080), spec.exposed(), "the port the probes use");
        Properties app = new Properties();
        try (InputStream in = Files.newInputStream(PackagedService.ROOT.resolve(
                "src/main/resources/application.properties"))) {
            app.load(in);
        }
        assertEquals("${SERVICE_PORT:8080}", app.getProperty("quarkus.http.port"),
                "the service listens where the image says, unless SERVICE_PORT says otherwise");

        // The test profile's group: its offsets are at the end of the topics the other tests filled.
        try (PackagedService service = PackagedService.start("entrypoint",
                Map.of("CONSUMER_GROUP", "pandashop-pipeline-test"))) {
            service.awaitReady(Duration.ofSeconds(120));
            if ("root".equals(System.getProperty("user.name"))) {
                assertEquals(65534, service.uid(), "started as nobody, as the image starts as its own user");
            }
            JsonNode ready = new ObjectMapper().readTree(URI.create(service.url("/q/health/ready")).toURL());
            assertEquals("UP", ready.path("status").asText(), ready.toString());
            assertTrue(ready.toString().contains("Pipeline dependencies"), ready.toString());
            assertEquals(200, service.status("/q/health/live"));
            assertEquals(200, service.status("/q/health/started"));
            assertEquals(200, service.status("/"));
            int status = service.stop(Duration.ofSeconds(30));
            // A JVM that ran its shutdown on SIGTERM exits with 143 (128 + 15); Kubernetes counts both as a stop.
            assertTrue(status == 0 || status == 143, "SIGTERM stops it (status " + status + "):\n" + service.tail());
            assertTrue(service.tail().contains("stopped in"), service.tail());
        }
    }
}
