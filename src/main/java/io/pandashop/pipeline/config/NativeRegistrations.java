package io.pandashop.pipeline.config;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Classes that configuration names and that are loaded by name at run time, which a native executable only has
 * when they are registered: the ClickHouse JDBC driver (Agroal loads it from quarkus.datasource.clickhouse.jdbc
 * .driver; db-kind "other" has no extension to register it) and the Kafka (de)serializers the channels name.
 * NativeRegistrationTest fails when application.properties names a class that is not here.
 */
@RegisterForReflection(targets = {
        com.clickhouse.jdbc.Driver.class,
        org.apache.kafka.common.serialization.ByteArrayDeserializer.class,
        org.apache.kafka.common.serialization.ByteArraySerializer.class,
        org.apache.kafka.common.serialization.StringDeserializer.class,
        org.apache.kafka.common.serialization.StringSerializer.class })
public final class NativeRegistrations {

    private NativeRegistrations() {
    }
}
