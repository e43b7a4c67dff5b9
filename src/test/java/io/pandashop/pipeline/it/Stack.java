package io.pandashop.pipeline.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.restassured.RestAssured;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.ConfigProvider;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

/** Addresses of the real test stack (deploy/local/test.sh) and small helpers to look into it. */
final class Stack {

    static final ObjectMapper JSON = new ObjectMapper();

    private Stack() {
    }

    static String config(String key) {
        return ConfigProvider.getConfig().getValue(key, String.class);
    }

    static String bootstrap() {
        return config("kafka.bootstrap.servers");
    }

    static String topicPrefix() {
        return config("pipeline.topic-prefix");
    }

    static String eventsTopic() {
        return topicPrefix() + ".public.engagement_events";
    }

    static String externalAdmin() {
        return "http://127.0.0.1:" + config("external.port") + "/__admin";
    }

    /** Every request body the external receiver has recorded, newest first. */
    static List<JsonNode> externalRequests() {
        String body = RestAssured.given().get(externalAdmin() + "/requests?limit=100000").then().statusCode(200)
                .extract().asString();
        try {
            JsonNode root = JSON.readTree(body);
            List<JsonNode> requests = new java.util.ArrayList<>();
            for (JsonNode served : root.path("requests")) {
                requests.add(served.path("request"));
            }
            return requests;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The recorded requests whose body contains {@code text} (a run id), found by the receiver itself: cheaper than
     * every request when backfills have sent it tens of thousands of events.
     */
    static List<JsonNode> externalRequestsContaining(String text) {
        String query = "{\"method\":\"POST\",\"bodyPatterns\":[{\"contains\":\"" + text + "\"}]}";
        String body = RestAssured.given().body(query).post(externalAdmin() + "/requests/find").then().statusCode(200)
                .extract().asString();
        try {
            List<JsonNode> requests = new java.util.ArrayList<>();
            JSON.readTree(body).path("requests").forEach(requests::add);
            return requests;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sum of a Prometheus counter of the service under test over the series whose labels contain every label. */
    static double metric(String name, String... labels) {
        String metrics = RestAssured.given().get("/q/metrics").then().statusCode(200).extract().asString();
        double sum = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith(name) && (line.length() == name.length() || "{ ".indexOf(line.charAt(name.length())) >= 0)
                    && java.util.Arrays.stream(labels).allMatch(line::contains)) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    static Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        return Admin.create(p);
    }

    /** The group's committed offset of each partition of the topic (0 where it has committed none). */
    static Map<Integer, Long> committed(String group, String topic) {
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            Map<Integer, Long> offsets = new java.util.TreeMap<>();
            committed.forEach((tp, o) -> {
                if (tp.topic().equals(topic) && o != null) {
                    offsets.put(tp.partition(), o.offset());
                }
            });
            return offsets;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String consumerGroup() {
        return config("pipeline.consumer-group");
    }

    /** True once the group has committed every record of the topic: all of them went through the service. */
    static boolean caughtUp(String group, String topic) {
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic)
                    .partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            Map<TopicPartition, OffsetSpec> latest = partitions.stream()
                    .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get();
            Map<TopicPartition, Long> lag = new HashMap<>();
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata c = committed.get(tp);
                long end = ends.get(tp).offset();
                lag.put(tp, end - (c == null ? 0 : c.offset()));
            }
            return lag.values().stream().allMatch(l -> l <= 0);
        } catch (Exception e) {
            return false;
        }
    }
}
