package io.pandashop.pipeline.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real HTTP receiver for the external system's batches (JDK HttpServer on 127.0.0.1), unbounded unlike WireMock's
 * journal: it records every idempotency key it took and how often, and can be told to answer 401, 429, 503 or 400
 * instead of 200 (then it records nothing).
 */
final class RecordingReceiver implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private volatile int status = 200;
    /** Times each idempotency key was taken. */
    final Map<String, AtomicLong> keys = new ConcurrentHashMap<>();
    /** The keys taken for each "event_id:op". */
    final Map<String, Set<String>> keysOfChange = new ConcurrentHashMap<>();
    final AtomicLong requests = new AtomicLong();
    final AtomicLong refusedRequests = new AtomicLong();

    RecordingReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/events", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/events";
    }

    /** From now on every POST is answered with this status (200: taken and recorded). */
    void answer(int status) {
        this.status = status;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            int answer = status;
            requests.incrementAndGet();
            if (answer == 200) {
                for (JsonNode e : JSON.readTree(body)) {
                    String key = e.path("idempotency_key").asText();
                    keys.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
                    keysOfChange.computeIfAbsent(e.path("event_id").asLong() + ":" + e.path("op").asText(),
                            k -> ConcurrentHashMap.newKeySet()).add(key);
                }
            } else {
                refusedRequests.incrementAndGet();
                if (answer == 429) {
                    exchange.getResponseHeaders().add("Retry-After", "1");
                }
            }
            exchange.sendResponseHeaders(answer, -1);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
