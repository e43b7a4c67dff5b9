package io.pandashop.pipeline.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.util.Properties;

/** One Kafka admin client for the service's own look-ups (topic ends for the cache barrier, consumer lag). */
@ApplicationScoped
public class KafkaAdminProducer {

    @Produces
    @Singleton
    Admin admin(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "cdc-pipeline-admin");
        return Admin.create(p);
    }

    void close(@Disposes Admin admin) {
        admin.close(Duration.ofSeconds(2));
    }
}
