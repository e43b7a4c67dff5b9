package io.pandashop.pipeline.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.strimzi.api.kafka.model.connect.KafkaConnect;
import io.strimzi.api.kafka.model.connector.KafkaConnector;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;

import java.beans.IntrospectionException;
import java.beans.Introspector;
import java.beans.PropertyDescriptor;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a rendered object into the Java model its project publishes (fabric8's kubernetes-model for Kubernetes,
 * Strimzi's api for its Kafka* resources, fabric8's monitoring model for the Prometheus Operator) and reports every
 * field the model does not know. The models keep unknown fields in {@code additionalProperties} instead of failing,
 * so the whole object graph is walked for them: a misspelt field anywhere is a problem.
 */
final class PublishedModels {

    /** Kinds we ship that have no published Java model: checked only by our cross-reference assertions. */
    static final Set<String> WITHOUT_MODEL = Set.of("keda.sh/ScaledObject", "keda.sh/TriggerAuthentication");

    private static final Map<String, Class<?>> MODELS = Map.ofEntries(
            Map.entry("v1/ConfigMap", ConfigMap.class),
            Map.entry("v1/Secret", Secret.class),
            Map.entry("v1/Service", Service.class),
            Map.entry("apps/v1/Deployment", Deployment.class),
            Map.entry("autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
            Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
            Map.entry("rbac.authorization.k8s.io/v1/Role", Role.class),
            Map.entry("rbac.authorization.k8s.io/v1/RoleBinding", RoleBinding.class),
            Map.entry("monitoring.coreos.com/v1/PrometheusRule", PrometheusRule.class),
            Map.entry("kafka.strimzi.io/v1beta2/KafkaConnect", KafkaConnect.class),
            Map.entry("kafka.strimzi.io/v1beta2/KafkaConnector", KafkaConnector.class),
            Map.entry("kafka.strimzi.io/v1beta2/KafkaTopic", KafkaTopic.class),
            Map.entry("kafka.strimzi.io/v1beta2/KafkaUser", KafkaUser.class));

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private PublishedModels() {
    }

    /** The problems of one rendered object: an unknown kind, a field of the wrong type, or a field the model lacks. */
    static List<String> problems(JsonNode object) {
        String apiVersion = object.path("apiVersion").asText();
        String kind = object.path("kind").asText();
        String id = apiVersion + "/" + kind + " " + RenderedManifests.name(object);
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        if (WITHOUT_MODEL.contains(group + "/" + kind)) {
            return List.of();
        }
        Class<?> model = MODELS.get(apiVersion + "/" + kind);
        if (model == null) {
            return List.of(id + ": no published model is registered for this kind (add one, or list it in "
                    + "WITHOUT_MODEL with the reason)");
        }
        Object typed;
        try {
            typed = MAPPER.treeToValue(object, model);
        } catch (Exception e) {
            return List.of(id + ": " + e.getMessage().lines().findFirst().orElse(""));
        }
        List<String> problems = new ArrayList<>();
        unknownFields(typed, id, problems, new IdentityHashMap<>());
        return problems;
    }

    /** Walks the model's getters; any non-empty {@code additionalProperties} is a field the model does not know. */
    private static void unknownFields(Object value, String path, List<String> problems, Map<Object, Boolean> seen) {
        if (value == null || seen.put(value, true) != null) {
            return;
        }
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, path + "[" + i++ + "]", problems, seen);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, path + "." + k, problems, seen));
            return;
        }
        String pkg = value.getClass().getPackageName();
        if (!pkg.startsWith("io.fabric8.") && !pkg.startsWith("io.strimzi.")) {
            return;
        }
        try {
            for (PropertyDescriptor property : Introspector.getBeanInfo(value.getClass()).getPropertyDescriptors()) {
                if (property.getReadMethod() == null || property.getName().equals("class")) {
                    continue;
                }
                Object child = property.getReadMethod().invoke(value);
                if (property.getName().equals("additionalProperties")) {
                    if (child instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        problems.add(path + ": unknown field(s) " + extra.keySet());
                    }
                    continue;
                }
                unknownFields(child, path + "." + property.getName(), problems, seen);
            }
        } catch (IntrospectionException | IllegalAccessException | InvocationTargetException e) {
            problems.add(path + ": cannot inspect " + value.getClass().getName() + ": " + e);
        }
    }
}
