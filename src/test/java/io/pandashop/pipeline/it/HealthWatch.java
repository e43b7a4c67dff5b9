package io.pandashop.pipeline.it;

import io.restassured.RestAssured;
import io.restassured.response.Response;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/** Polls the service's liveness and readiness every 250 ms while an outage test runs, and keeps what it saw. */
final class HealthWatch implements AutoCloseable {

    private final List<String> livenessDown = new CopyOnWriteArrayList<>();
    private final List<String> readinessDown = new CopyOnWriteArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread poller;

    private HealthWatch() {
        poller = new Thread(this::poll, "health-watch");
        poller.setDaemon(true);
        poller.start();
    }

    static HealthWatch start() {
        return new HealthWatch();
    }

    private void poll() {
        while (running.get()) {
            try {
                Response live = RestAssured.given().get("/q/health/live");
                if (live.statusCode() != 200) {
                    livenessDown.add(live.asString());
                }
                Response ready = RestAssured.given().get("/q/health/ready");
                if (ready.statusCode() != 200) {
                    readinessDown.add(ready.asString());
                }
                Thread.sleep(250);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                livenessDown.add("health endpoint did not answer: " + e);
            }
        }
    }

    /** Every liveness answer that was not UP. */
    List<String> livenessDown() {
        return List.copyOf(livenessDown);
    }

    /** Every readiness answer that was not UP (their bodies name the failing checks). */
    List<String> readinessDown() {
        return List.copyOf(readinessDown);
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        poller.interrupt();
        poller.join(5_000);
    }
}
