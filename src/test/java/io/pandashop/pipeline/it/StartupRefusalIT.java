package io.pandashop.pipeline.it;

import io.pandashop.pipeline.packaged.PackagedService;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The packaged service refuses to start on a configuration that would silently do the wrong thing. */
class StartupRefusalIT {

    @Test
    void productionRefusesToStartWithoutItsCredentials() throws Exception {
        String log = startAndAwaitExit("no-credentials", Map.of("PG_PASSWORD", "", "EXTERNAL_AUTH", "",
                "PIPELINE_ADMIN_TOKEN", ""));
        for (String variable : List.of("PG_PASSWORD", "EXTERNAL_AUTH", "PIPELINE_ADMIN_TOKEN")) {
            assertTrue(log.contains(variable), variable + " is named:\n" + log);
        }
    }

    @Test
    void aMisspeltDestinationStopsTheStartNamingTheKnownOnes() throws Exception {
        String javaOpts = PackagedService.ImageSpec.read(PackagedService.DOCKERFILE).env().get("JAVA_OPTS");
        String log = startAndAwaitExit("destination-typo", Map.of("JAVA_OPTS",
                javaOpts + " -Dpipeline.destinations.clikhouse.enabled=false"));
        assertTrue(log.contains("unknown destination clikhouse") && log.contains("clickhouse, external, redis"), log);
    }

    private static String startAndAwaitExit(String name, Map<String, String> settings) throws Exception {
        try (PackagedService service = PackagedService.start(name, settings)) {
            long deadline = System.currentTimeMillis() + 60_000;
            while (service.alive() && System.currentTimeMillis() < deadline) {
                Thread.sleep(250);
            }
            assertFalse(service.alive(), "the service stopped");
            return service.log();
        }
    }
}
