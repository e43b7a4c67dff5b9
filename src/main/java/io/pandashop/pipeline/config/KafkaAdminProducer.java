package io.pandashop.pipeline.config;

import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;

/** One Kafka admin client for the service's own look-ups (topic ends for the cache barrier, consumer lag). */
@ApplicationScoped
public class KafkaAdminProducer {

    /**
     * With every kafka.* setting the channels get (bootstrap servers, and security.protocol, sasl.* and ssl.* where
     * the cluster needs them), so this client reaches the same cluster the same way.
     */
    @Produces
    @Singleton
    Admin admin(@Identifier("default-kafka-broker") Map<String, Object> kafka) {
        Properties p = new Properties();
        kafka.forEach((key, value) -> {
            if (AdminClientConfig.configNames().contains(key)) {
                p.put(key, value);
            }
        });
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "cdc-pipeline-admin");
        return Admin.create(p);
    }

    void close(@Disposes Admin admin) {
        admin.close(Duration.ofSeconds(2));
    }
}
