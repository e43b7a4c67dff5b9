package io.pandashop.pipeline.it;

import com.clickhouse.client.api.Client;
import io.pandashop.pipeline.packaged.PackagedService;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgBuilder;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgConnectOptions;

/** Clients of the test stack for the tests of the packaged service, which run outside Quarkus (no injection). */
final class StackClients {

    private StackClients() {
    }

    static Pool postgres(Vertx vertx) {
        return PgBuilder.pool().connectingTo(new PgConnectOptions().setHost("127.0.0.1")
                .setPort(Integer.parseInt(PackagedService.env("PG_PORT", "15432"))).setDatabase("pandashop")
                .setUser("postgresuser").setPassword("postgrespw")).using(vertx).build();
    }

    static Client clickHouse() {
        return new Client.Builder()
                .addEndpoint("http://127.0.0.1:" + PackagedService.env("CLICKHOUSE_HTTP_PORT", "18123"))
                .setUsername("default").setPassword("").setDefaultDatabase("app").build();
    }
}
