package io.pandashop.pipeline.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/compose/compose.yaml, read as Compose reads it (it is not run here: no container runtime): the host ports
 * are the local stack's, every setting the service gets is one it reads, every file it mounts or builds from
 * exists, and PostgreSQL and the connector are set up as the local stack sets them up.
 */
class ComposeFileTest {

    private static final Path ROOT = KubernetesManifestsTest.ROOT;
    private static final Path COMPOSE = ROOT.resolve("deploy/compose/compose.yaml");

    @Test
    void composeAgreesWithTheLocalStackAndTheService() throws IOException {
        JsonNode services = RenderedManifests.YAML.readTree(COMPOSE.toFile()).path("services");
        Map<String, String> localPorts = localStackPorts();
        Map<String, String> hostPortOf = Map.of("redpanda", "KAFKA_PORT", "postgres", "PG_PORT",
                "connect", "CONNECT_PORT", "clickhouse", "CLICKHOUSE_HTTP_PORT", "redis", "REDIS_PORT",
                "external", "EXTERNAL_PORT", "pipeline", "SERVICE_PORT");
        hostPortOf.forEach((service, variable) -> {
            String first = services.path(service).path("ports").get(0).asText();
            assertEquals(localPorts.get(variable), first.split(":")[1], service + " on the local stack's " + variable);
        });
        // Published on the loopback address only: nothing of the stack is reachable from the network.
        services.fields().forEachRemaining(s -> s.getValue().path("ports").forEach(port -> assertTrue(
                port.asText().startsWith("127.0.0.1:"), s.getKey() + " publishes " + port.asText() + " beyond 127.0.0.1")));
        // Redis keeps what it applied across a crash (AOF) and never evicts an event's state.
        String redis = services.path("redis").path("command").toString();
        assertTrue(redis.contains("--appendonly yes") && redis.contains("--appendfsync everysec")
                && redis.contains("--maxmemory-policy noeviction"), redis);

        // The service: every variable one it reads; its container port the one it listens on.
        String appText = Files.readString(ROOT.resolve("src/main/resources/application.properties"));
        JsonNode pipeline = services.path("pipeline");
        pipeline.path("environment").fieldNames().forEachRemaining(key -> assertTrue(
                appText.contains("${" + key + ":") || appText.contains("${" + key + "}"),
                "compose sets " + key + ", which the service does not read"));
        assertEquals("8080", pipeline.path("ports").get(0).asText().split(":")[2]);
        assertTrue(Files.exists(ROOT.resolve("deploy/compose").resolve(pipeline.path("build").path("context").asText())
                .resolve(pipeline.path("build").path("dockerfile").asText())), "the Dockerfile it builds exists");
        String prefix = pipeline.path("environment").path("TOPIC_PREFIX").asText();
        assertTrue(pipeline.path("environment").path("KAFKA_BOOTSTRAP_SERVERS").asText().startsWith("redpanda:"));

        // Every mounted file exists; every named volume is declared.
        JsonNode named = RenderedManifests.YAML.readTree(COMPOSE.toFile()).path("volumes");
        services.fields().forEachRemaining(s -> {
            for (JsonNode volume : s.getValue().path("volumes")) {
                String from = volume.asText().split(":")[0];
                if (!from.startsWith(".") && !from.startsWith("/")) {
                    assertTrue(named.has(from), s.getKey() + " uses the named volume " + from + ", which is declared");
                    continue;
                }
                Path source = ROOT.resolve("deploy/compose").resolve(from).normalize();
                assertTrue(Files.exists(source), s.getKey() + " mounts " + source);
            }
        });

        // PostgreSQL: logical decoding and the local stack's schema and credentials.
        JsonNode postgres = services.path("postgres");
        assertTrue(postgres.path("command").toString().contains("wal_level=logical"));
        assertTrue(postgres.path("volumes").toString().contains("local/sql/source-schema.sql"));
        assertEquals(envDefault("PG_USER"), postgres.path("environment").path("POSTGRES_USER").asText());
        assertEquals(envDefault("PG_PASSWORD"), withDefaults(postgres.path("environment").path("POSTGRES_PASSWORD").asText()));
        assertEquals(postgres.path("environment").path("POSTGRES_PASSWORD").asText(),
                pipeline.path("environment").path("PG_PASSWORD").asText(), "one password for both sides");
        assertEquals(envDefault("PG_DB"), postgres.path("environment").path("POSTGRES_DB").asText());
        assertEquals(envDefault("PG_USER"), pipeline.path("environment").path("PG_USER").asText());

        // Debezium: the local stack's version, the shared connector settings, the same topic prefix.
        assertTrue(services.path("connect").path("image").asText()
                .endsWith(":" + KubernetesManifestsTest.localDebeziumVersion()));
        String init = services.path("connector-init").toString();
        assertTrue(init.contains("connector/debezium-postgres.json:/connector/"), init);
        assertTrue(init.contains("\\\"topic.prefix\\\": \\\"" + prefix + "\\\""), init);
        assertEquals(envDefault("TOPIC_PREFIX"), prefix);
        for (String dependency : List.of("redpanda", "postgres", "clickhouse", "redis")) {
            assertTrue(pipeline.path("depends_on").has(dependency), "the service waits for " + dependency);
        }
    }

    private static Map<String, String> localStackPorts() throws IOException {
        Map<String, String> ports = new HashMap<>();
        Matcher m = Pattern.compile("(\\w+_PORT)=\"\\$\\{\\w+:-(\\d+)}\"").matcher(
                Files.readString(ROOT.resolve("deploy/local/env.sh")));
        while (m.find()) {
            ports.put(m.group(1), m.group(2));
        }
        return ports;
    }

    /** A value as Compose reads it with nothing set: ${VAR:-default} becomes default. */
    private static String withDefaults(String value) {
        return value.replaceAll("\\$\\{\\w+:-([^}]*)}", "$1");
    }

    private static String envDefault(String variable) throws IOException {
        Matcher m = Pattern.compile(variable + "=\"\\$\\{" + variable + ":-([^}]+)}\"").matcher(
                Files.readString(ROOT.resolve("deploy/local/env.sh")));
        assertTrue(m.find(), variable + " in env.sh");
        return m.group(1);
    }
}
