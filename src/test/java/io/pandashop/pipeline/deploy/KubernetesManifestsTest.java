package io.pandashop.pipeline.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/k8s, built overlay by overlay (and with the HPA fallback component), checked for what breaks a deployment:
 * probes on paths and a port the service has, every referenced ConfigMap and Secret present, every setting one the
 * service reads and every credential in the Secret, the image the build makes, no more replicas than partitions,
 * topic names the service uses, and the connector settings of the local stack.
 */
class KubernetesManifestsTest {

    static final Path ROOT = Path.of(System.getProperty("user.dir"));
    static final Path K8S = ROOT.resolve("deploy/k8s");
    private static final Set<String> CREDENTIALS = Set.of("PG_USER", "PG_PASSWORD", "CLICKHOUSE_PASSWORD", "REDIS_URL",
            "EXTERNAL_AUTH", "PIPELINE_ADMIN_TOKEN", "KAFKA_SASL_JAAS_CONFIG", "KAFKA_SSL_TRUSTSTORE_PASSWORD");

    @Test
    void smallOverlay() throws IOException {
        check("small", RenderedManifests.build(K8S.resolve("overlays/small")));
    }

    @Test
    void productionOverlay() throws IOException {
        List<ObjectNode> built = RenderedManifests.build(K8S.resolve("overlays/production"));
        check("production", built);
        assertEquals(2, RenderedManifests.find(built, "Deployment", "cdc-pipeline", K8S).path("spec").path("replicas")
                .asInt(), "production keeps two replicas");
    }

    @Test
    void hpaFallbackReplacesTheScaledObject() throws IOException {
        for (String overlay : List.of("small", "production")) {
            List<ObjectNode> built = RenderedManifests.build(RenderedManifests.overlayWithComponents(
                    K8S.resolve("overlays/" + overlay), K8S.resolve("components/hpa-fallback")));
            assertTrue(built.stream().noneMatch(r -> r.path("kind").asText().equals("ScaledObject")
                    || r.path("kind").asText().equals("TriggerAuthentication")), overlay + ": no KEDA objects left");
            assertTrue(built.stream().anyMatch(r -> r.path("kind").asText().equals("HorizontalPodAutoscaler")));
            check(overlay + " + hpa-fallback", built);
        }
    }

    @Test
    void anUnresolvableOverlayIsAnError() throws IOException {
        Path broken = Files.createTempDirectory("overlay-");
        Files.writeString(broken.resolve("kustomization.yaml"), "resources: [" + broken.relativize(K8S.resolve("base"))
                + "]\npatches:\n  - path: missing.yaml\n");
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> RenderedManifests.build(broken));
        assertTrue(e.getMessage().contains("missing.yaml"), e.getMessage());
    }

    /** Every rendered object reads into its published model without a field the model does not know. */
    @Test
    void everyObjectMatchesItsPublishedModel() throws IOException {
        for (String overlay : List.of("small", "production")) {
            List<String> problems = new ArrayList<>();
            RenderedManifests.build(K8S.resolve("overlays/" + overlay))
                    .forEach(object -> problems.addAll(PublishedModels.problems(object)));
            assertEquals(List.of(), problems, overlay);
        }
    }

    /** The model check sees a misspelt field deep in a Deployment and in a Strimzi resource, and a wrong type. */
    @Test
    void aMisspeltFieldFailsTheModelCheck() throws IOException {
        List<ObjectNode> built = RenderedManifests.build(K8S.resolve("overlays/small"));
        ObjectNode deployment = RenderedManifests.find(built, "Deployment", "cdc-pipeline", K8S).deepCopy();
        ((ObjectNode) deployment.path("spec").path("template").path("spec").path("containers").get(0)
                .path("readinessProbe")).put("initialDelaySecond", 5);
        assertEquals(1, PublishedModels.problems(deployment).size(), PublishedModels.problems(deployment).toString());
        assertTrue(PublishedModels.problems(deployment).get(0).contains("initialDelaySecond"));

        ObjectNode user = RenderedManifests.find(built, "KafkaUser", "cdc-pipeline", K8S).deepCopy();
        ((ObjectNode) user.path("spec").path("authorization").path("acls").get(0)).put("operatons", "Read");
        assertTrue(PublishedModels.problems(user).toString().contains("operatons"), PublishedModels.problems(user)
                .toString());

        ObjectNode topic = RenderedManifests.find(built, "KafkaTopic", "pandashop.pipeline.dead-letter", K8S)
                .deepCopy();
        ((ObjectNode) topic.path("spec")).put("partitions", "three");
        assertEquals(1, PublishedModels.problems(topic).size(), "a string where the model wants a number");

        ObjectNode unknownKind = deployment.deepCopy().put("kind", "Deploymnt");
        assertTrue(PublishedModels.problems(unknownKind).get(0).contains("no published model"));
    }

    /** The pipeline's KafkaUser reads the CDC topics (Debezium's) and writes only its own topics. */
    private static void assertPipelineCannotWriteTheCdcTopics(String overlay, List<ObjectNode> built) {
        ObjectNode user = RenderedManifests.find(built, "KafkaUser", "cdc-pipeline", K8S);
        String cdcTopic = "pandashop.public.engagement_events";
        boolean reads = false;
        for (JsonNode acl : user.path("spec").path("authorization").path("acls")) {
            JsonNode resource = acl.path("resource");
            if (!resource.path("type").asText().equals("topic")) {
                continue;
            }
            String name = resource.path("name").asText();
            boolean covers = resource.path("patternType").asText("literal").equals("prefix")
                    ? cdcTopic.startsWith(name) : cdcTopic.equals(name) || name.equals("*");
            if (!covers) {
                continue;
            }
            String operations = acl.path("operations").toString();
            assertFalse(operations.contains("Write") || operations.contains("All") || operations.contains("Delete"),
                    overlay + ": the pipeline may not write the CDC topics: " + acl);
            reads |= operations.contains("Read");
        }
        assertTrue(reads, overlay + ": the pipeline reads the CDC topics");
    }

    private void check(String overlay, List<ObjectNode> built) throws IOException {
        Map<String, String> app = applicationProperties();
        String appText = Files.readString(ROOT.resolve("src/main/resources/application.properties"));
        ObjectNode deployment = RenderedManifests.find(built, "Deployment", "cdc-pipeline", K8S);
        JsonNode pod = deployment.path("spec").path("template");
        JsonNode container = pod.path("spec").path("containers").get(0);

        // Probes: Quarkus health paths, on the named port, which is the port the image exposes and the service uses.
        Map<String, Integer> ports = new TreeMap<>();
        container.path("ports").forEach(p -> ports.put(p.path("name").asText(), p.path("containerPort").asInt()));
        int servicePort = Integer.parseInt(app.get("quarkus.http.port").replaceAll(".*:(\\d+)}", "$1"));
        assertEquals(Map.of("http", servicePort), ports, overlay);
        assertTrue(Files.readString(ROOT.resolve("src/main/docker/Dockerfile.jvm")).contains("EXPOSE " + servicePort));
        Map<String, String> probes = Map.of("startupProbe", "/q/health/started", "livenessProbe", "/q/health/live",
                "readinessProbe", "/q/health/ready");
        probes.forEach((probe, path) -> {
            JsonNode get = container.path(probe).path("httpGet");
            assertEquals(path, get.path("path").asText(), overlay + " " + probe);
            assertTrue(ports.containsKey(get.path("port").asText()), overlay + " " + probe + " port " + get.path("port"));
        });

        // Every ConfigMap and Secret it names exists; every variable is a setting the service reads; credentials
        // come from Secrets only.
        Map<String, Set<String>> secrets = secretKeys(built);
        Set<String> keys = new HashSet<>();
        for (JsonNode from : container.path("envFrom")) {
            String kind = from.has("configMapRef") ? "ConfigMap" : "Secret";
            String name = from.path(from.has("configMapRef") ? "configMapRef" : "secretRef").path("name").asText();
            ObjectNode source = RenderedManifests.find(built, kind, name, K8S);
            JsonNode data = kind.equals("ConfigMap") ? source.path("data") : source.path("stringData");
            data.fieldNames().forEachRemaining(key -> {
                keys.add(key);
                assertReadByService(overlay, appText, kind + " " + name, key);
                if (CREDENTIALS.contains(key)) {
                    assertEquals("Secret", kind, overlay + ": " + key + " is a credential");
                }
            });
        }
        for (JsonNode env : container.path("env")) {
            String key = env.path("name").asText();
            keys.add(key);
            assertReadByService(overlay, appText, "env", key);
            JsonNode ref = env.path("valueFrom").path("secretKeyRef");
            if (CREDENTIALS.contains(key)) {
                assertFalse(ref.isMissingNode(), overlay + ": " + key + " is a credential: from a Secret");
            }
            if (!ref.isMissingNode()) {
                assertSecretKey(overlay, secrets, ref.path("name").asText(), ref.path("key").asText());
            }
        }
        assertTrue(keys.containsAll(CREDENTIALS), overlay + ": every credential is set: " + keys);
        for (String needed : List.of("KAFKA_BOOTSTRAP_SERVERS", "PG_HOST", "CLICKHOUSE_HOST", "EXTERNAL_URL",
                "TOPIC_PREFIX", "CONSUMER_GROUP", "KAFKA_SECURITY_PROTOCOL", "KAFKA_SASL_MECHANISM")) {
            assertTrue(keys.contains(needed), overlay + ": " + needed + " is set");
        }
        assertTrue(Files.readString(ROOT.resolve("src/main/docker/Dockerfile.jvm")).contains("$JAVA_OPTS"),
                "the image's entrypoint reads JAVA_OPTS");
        for (JsonNode volume : pod.path("spec").path("volumes")) {
            if (volume.has("configMap")) {
                RenderedManifests.find(built, "ConfigMap", volume.path("configMap").path("name").asText(), K8S);
            }
            if (volume.has("secret")) {
                for (JsonNode item : volume.path("secret").path("items")) {
                    assertSecretKey(overlay, secrets, volume.path("secret").path("secretName").asText(),
                            item.path("key").asText());
                }
            }
        }
        assertPipelineCannotWriteTheCdcTopics(overlay, built);
        // ...and so do Connect's, KEDA's and the connector's.
        for (ObjectNode r : built) {
            switch (r.path("kind").asText()) {
                case "KafkaConnect" -> {
                    JsonNode auth = r.path("spec").path("authentication").path("passwordSecret");
                    assertSecretKey(overlay, secrets, auth.path("secretName").asText(), auth.path("password").asText());
                    for (JsonNode cert : r.path("spec").path("tls").path("trustedCertificates")) {
                        assertSecretKey(overlay, secrets, cert.path("secretName").asText(),
                                cert.path("certificate").asText());
                    }
                }
                case "TriggerAuthentication" -> {
                    for (JsonNode ref : r.path("spec").path("secretTargetRef")) {
                        assertSecretKey(overlay, secrets, ref.path("name").asText(), ref.path("key").asText());
                    }
                }
                case "KafkaConnector" -> {
                    Matcher m = Pattern.compile("\\$\\{secrets:[^/]+/([^:]+):([^}]+)}").matcher(r.toString());
                    int refs = 0;
                    while (m.find()) {
                        assertSecretKey(overlay, secrets, m.group(1), m.group(2));
                        refs++;
                    }
                    assertEquals(2, refs, overlay + ": the connector's database login comes from a Secret");
                }
                default -> {
                }
            }
        }

        // The image the build makes.
        String image = container.path("image").asText();
        assertTrue(image.endsWith("/cdc-pipeline:" + projectVersion()), overlay + ": image " + image);
        assertTrue(pod.path("spec").path("securityContext").path("runAsNonRoot").asBoolean(), overlay);

        // Service, PDB and NetworkPolicy select the pods and use the port.
        JsonNode labels = pod.path("metadata").path("labels");
        ObjectNode service = RenderedManifests.find(built, "Service", "cdc-pipeline", K8S);
        assertTrue(ports.containsKey(service.path("spec").path("ports").get(0).path("targetPort").asText()), overlay);
        for (JsonNode selector : List.of(service.path("spec").path("selector"),
                RenderedManifests.find(built, "PodDisruptionBudget", "cdc-pipeline", K8S).path("spec").path("selector")
                        .path("matchLabels"),
                RenderedManifests.find(built, "NetworkPolicy", "cdc-pipeline", K8S).path("spec").path("podSelector")
                        .path("matchLabels"))) {
            selector.fields().forEachRemaining(e -> assertEquals(e.getValue(), labels.path(e.getKey()),
                    overlay + ": selector " + e.getKey()));
        }
        assertTrue(RenderedManifests.find(built, "NetworkPolicy", "cdc-pipeline", K8S).toString()
                .contains("\"port\":" + servicePort), overlay);

        // Topics: the names the service uses; never more replicas than the engagement topic has partitions.
        ObjectNode config = RenderedManifests.find(built, "ConfigMap", "cdc-pipeline-config", K8S);
        String prefix = config.path("data").path("TOPIC_PREFIX").asText();
        Map<String, Integer> partitions = new TreeMap<>();
        for (ObjectNode r : built) {
            if (r.path("kind").asText().equals("KafkaTopic")) {
                partitions.put(r.path("spec").path("topicName").asText(), r.path("spec").path("partitions").asInt());
            }
        }
        for (String topicProperty : List.of("mp.messaging.incoming.engagement-events.topic",
                "mp.messaging.incoming.content-dim.topic", "mp.messaging.outgoing.dead-letter.topic",
                "mp.messaging.outgoing.external-parking-out.topic")) {
            String topic = app.get(topicProperty).replace("${pipeline.topic-prefix}", prefix);
            assertTrue(partitions.containsKey(topic), overlay + ": KafkaTopic " + topic + " in " + partitions.keySet());
        }
        int eventPartitions = partitions.get(prefix + ".public.engagement_events");
        List<Integer> replicaBounds = new ArrayList<>(List.of(deployment.path("spec").path("replicas").asInt(1)));
        for (ObjectNode r : built) {
            if (r.path("kind").asText().equals("ScaledObject")) {
                replicaBounds.add(r.path("spec").path("maxReplicaCount").asInt());
                JsonNode trigger = r.path("spec").path("triggers").get(0).path("metadata");
                assertEquals(prefix + ".public.engagement_events", trigger.path("topic").asText(), overlay);
                assertEquals(config.path("data").path("CONSUMER_GROUP").asText(), trigger.path("consumerGroup").asText());
                assertEquals(config.path("data").path("KAFKA_BOOTSTRAP_SERVERS").asText(),
                        trigger.path("bootstrapServers").asText(), overlay);
                for (JsonNode ref : RenderedManifests.find(built, "TriggerAuthentication",
                        r.path("spec").path("triggers").get(0).path("authenticationRef").path("name").asText(), K8S)
                        .path("spec").path("secretTargetRef")) {
                    assertFalse(ref.path("name").asText().isBlank(), overlay);
                }
            }
            if (r.path("kind").asText().equals("HorizontalPodAutoscaler")) {
                replicaBounds.add(r.path("spec").path("maxReplicas").asInt());
            }
        }
        for (int bound : replicaBounds) {
            assertTrue(bound <= eventPartitions, overlay + ": " + bound + " replicas, " + eventPartitions + " partitions");
        }

        // Debezium: the local stack's connector settings, on the Connect cluster this overlay declares.
        ObjectNode connector = RenderedManifests.find(built, "KafkaConnector", "pandashop-postgres", K8S);
        JsonNode shared = new ObjectMapper().readTree(ROOT.resolve("deploy/connector/debezium-postgres.json").toFile());
        JsonNode spec = connector.path("spec");
        shared.fields().forEachRemaining(e -> {
            String actual = switch (e.getKey()) {
                case "connector.class" -> spec.path("class").asText();
                case "tasks.max" -> spec.path("tasksMax").asText();
                default -> spec.path("config").path(e.getKey()).asText();
            };
            assertEquals(e.getValue().asText(), actual, overlay + ": connector setting " + e.getKey());
        });
        assertEquals(prefix, spec.path("config").path("topic.prefix").asText(), overlay);
        String connect = connector.path("metadata").path("labels").path("strimzi.io/cluster").asText();
        ObjectNode connectCluster = RenderedManifests.find(built, "KafkaConnect", connect, K8S);
        // Connect's service account (Strimzi names it <cluster>-connect) may read the connector's Secret.
        ObjectNode binding = RenderedManifests.find(built, "RoleBinding", "pandashop-connect-secrets", K8S);
        assertEquals(connect + "-connect", binding.path("subjects").get(0).path("name").asText(), overlay);
        ObjectNode role = RenderedManifests.find(built, "Role", binding.path("roleRef").path("name").asText(), K8S);
        assertTrue(role.path("rules").toString().contains("\"debezium-postgres\""), overlay);
        assertTrue(connectCluster.toString().contains("debezium-connector-postgres"), overlay);
        assertTrue(connectCluster.toString().contains(localDebeziumVersion()), overlay + ": Debezium "
                + localDebeziumVersion() + " as the local stack");
    }

    private static void assertReadByService(String overlay, String appText, String where, String key) {
        boolean read = appText.contains("${" + key + ":") || appText.contains("${" + key + "}")
                || key.equals("JAVA_OPTS");
        assertTrue(read, overlay + ": " + where + " sets " + key + ", which the service does not read");
    }

    private static void assertSecretKey(String overlay, Map<String, Set<String>> secrets, String name, String key) {
        assertTrue(secrets.containsKey(name), overlay + ": Secret " + name + " is neither declared nor written by Strimzi");
        assertTrue(secrets.get(name).contains(key), overlay + ": Secret " + name + " has no key " + key);
    }

    /**
     * Secrets and their keys: those declared, and those Strimzi writes (a KafkaUser's, with its password and JAAS
     * line; each Kafka cluster's CA certificate).
     */
    private static Map<String, Set<String>> secretKeys(List<ObjectNode> built) {
        Map<String, Set<String>> secrets = new TreeMap<>();
        for (ObjectNode r : built) {
            switch (r.path("kind").asText()) {
                case "Secret" -> {
                    Set<String> keys = new HashSet<>();
                    r.path("stringData").fieldNames().forEachRemaining(keys::add);
                    r.path("data").fieldNames().forEachRemaining(keys::add);
                    secrets.put(RenderedManifests.name(r), keys);
                }
                case "KafkaUser" -> {
                    secrets.put(RenderedManifests.name(r), Set.of("password", "sasl.jaas.config"));
                    String cluster = r.path("metadata").path("labels").path("strimzi.io/cluster").asText();
                    secrets.put(cluster + "-cluster-ca-cert", Set.of("ca.crt", "ca.p12", "ca.password"));
                }
                default -> {
                }
            }
        }
        return secrets;
    }

    static Map<String, String> applicationProperties() throws IOException {
        java.util.Properties p = new java.util.Properties();
        try (var in = Files.newInputStream(ROOT.resolve("src/main/resources/application.properties"))) {
            p.load(in);
        }
        Map<String, String> map = new TreeMap<>();
        p.forEach((k, v) -> map.put(k.toString(), v.toString()));
        return map;
    }

    static String projectVersion() throws IOException {
        Matcher m = Pattern.compile("<artifactId>cdc-pipeline</artifactId>\\s*<version>([^<-]+)")
                .matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertTrue(m.find());
        return m.group(1);
    }

    static String localDebeziumVersion() throws IOException {
        Matcher m = Pattern.compile("DEBEZIUM_VERSION=\"([^\"]+)\"").matcher(
                Files.readString(ROOT.resolve("deploy/local/env.sh")));
        assertTrue(m.find());
        return m.group(1);
    }
}
