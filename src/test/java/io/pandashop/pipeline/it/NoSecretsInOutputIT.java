package io.pandashop.pipeline.it;

import io.pandashop.pipeline.packaged.PackagedService;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No secret in what operators see. The packaged service runs with credentials of its own (a PostgreSQL role and a
 * Redis password made for this test, an external token and an admin token), serves traffic and its operator
 * endpoints, and then its whole log, health, metrics and OpenAPI output are searched for every one of them.
 */
class NoSecretsInOutputIT {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void noConfiguredSecretAppearsInLogsHealthOrMetrics() throws Exception {
        String pgRole = "secrets_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String pgPassword = "pg-" + UUID.randomUUID();
        String redisPassword = "redis-" + UUID.randomUUID();
        String externalToken = "ext-" + UUID.randomUUID();
        String adminToken = "admin-" + UUID.randomUUID();
        String redisPort = PackagedService.env("REDIS_PORT", "16379");
        Vertx vertx = Vertx.vertx();
        Pool pg = StackClients.postgres(vertx);
        List<String> outputs = new ArrayList<>();
        try {
            pg.query("CREATE ROLE " + pgRole + " LOGIN PASSWORD '" + pgPassword + "'").execute().await().indefinitely();
            pg.query("GRANT SELECT ON content, engagement_events TO " + pgRole).execute().await().indefinitely();
            redisCli(redisPort, null, "CONFIG", "SET", "requirepass", redisPassword);
            try (PackagedService service = PackagedService.start("secrets", Map.of(
                    "PG_USER", pgRole, "PG_PASSWORD", pgPassword,
                    "REDIS_URL", "redis://:" + redisPassword + "@127.0.0.1:" + redisPort,
                    "EXTERNAL_AUTH", "Bearer " + externalToken, "PIPELINE_ADMIN_TOKEN", adminToken,
                    "CONSUMER_GROUP", "secrets-" + UUID.randomUUID(), "KAFKA_AUTO_OFFSET_RESET", "latest"))) {
                service.awaitReady(Duration.ofSeconds(120));
                pg.preparedQuery("INSERT INTO engagement_events (content_id, user_id, event_type, event_ts, duration_ms, "
                        + "device) VALUES (NULL, $1, 'play', now(), 10, 'web')").execute(Tuple.of(UUID.randomUUID()))
                        .await().indefinitely();
                for (String path : List.of("/q/health", "/q/health/ready", "/q/health/live", "/q/metrics",
                        "/q/openapi", "/api/dashboard")) {
                    outputs.add(path + "\n" + get(service, path, null).body());
                }
                assertEquals(401, get(service, "/admin/backfill", "wrong-" + adminToken).statusCode());
                assertEquals(200, get(service, "/admin/backfill", adminToken).statusCode());
                // An outage, so the error paths log too: Redis refuses the password for a moment.
                redisCli(redisPort, redisPassword, "CONFIG", "SET", "requirepass", redisPassword + "-rotated");
                redisCli(redisPort, redisPassword + "-rotated", "CLIENT", "KILL", "TYPE", "normal");
                pg.preparedQuery("INSERT INTO engagement_events (content_id, user_id, event_type, event_ts, duration_ms, "
                        + "device) VALUES (NULL, $1, 'play', now(), 10, 'web')").execute(Tuple.of(UUID.randomUUID()))
                        .await().indefinitely();
                Thread.sleep(5_000);
                outputs.add("/q/health/ready during the outage\n" + get(service, "/q/health/ready", null).body());
                redisCli(redisPort, redisPassword + "-rotated", "CONFIG", "SET", "requirepass", redisPassword);
                service.awaitReady(Duration.ofSeconds(60));
                service.stop(Duration.ofSeconds(20));
                outputs.add("log\n" + service.log());
            }
        } finally {
            for (String pw : new String[] {redisPassword, redisPassword + "-rotated", null}) {
                try {
                    redisCli(redisPort, pw, "CONFIG", "SET", "requirepass", "");
                    break;
                } catch (IllegalStateException notThisOne) {
                    // try the next password
                }
            }
            pg.query("DROP OWNED BY " + pgRole).execute().onFailure().recoverWithNull().await().indefinitely();
            pg.query("DROP ROLE IF EXISTS " + pgRole).execute().onFailure().recoverWithNull().await().indefinitely();
            pg.closeAndAwait();
            vertx.closeAndAwait();
        }
        String all = String.join("\n", outputs);
        assertTrue(all.contains("Pipeline dependencies") && all.contains("pipeline_records_received_total"),
                "the outputs were read");
        for (String secret : List.of(pgPassword, redisPassword, externalToken, adminToken)) {
            for (String output : outputs) {
                assertFalse(output.contains(secret), "a secret appears in " + output.lines().findFirst().orElse("")
                        + ": " + excerpt(output, secret));
            }
        }
    }

    private HttpResponse<String> get(PackagedService service, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.url(path))).timeout(Duration.ofSeconds(10));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String excerpt(String output, String secret) {
        int at = output.indexOf(secret);
        return output.substring(Math.max(0, at - 200), Math.min(output.length(), at + secret.length() + 50));
    }

    private static void redisCli(String port, String password, String... command) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("redis-cli", "-p", port));
        if (password != null) {
            args.addAll(List.of("-a", password, "--no-auth-warning"));
        }
        args.addAll(List.of(command));
        Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(10, TimeUnit.SECONDS) || out.contains("ERR") || out.contains("NOAUTH") || out.contains("WRONGPASS")) {
            throw new IllegalStateException("redis-cli " + String.join(" ", command) + ": " + out);
        }
    }
}
