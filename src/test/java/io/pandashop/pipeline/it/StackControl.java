package io.pandashop.pipeline.it;

import io.pandashop.pipeline.packaged.PackagedService;

import io.restassured.RestAssured;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Stops and starts components of the test stack with the stack's own scripts, for outage tests. The scripts are
 * pointed at the test stack explicitly (its run folder and the ports the service under test uses), so running the
 * tests by hand never touches the demo stack.
 */
final class StackControl {

    private StackControl() {
    }

    static void stop(String component) {
        run("deploy/local/stack-down.sh", component);
    }

    /** SIGKILL, as a crash: no clean shutdown. */
    static void kill(String component) {
        run("deploy/local/stack-down.sh", "--kill", component);
    }

    static void start(String component) {
        run("deploy/local/stack-up.sh", component);
    }

    static String connectUrl() {
        return "http://127.0.0.1:" + PackagedService.env("CONNECT_PORT", "18083");
    }

    /** Restarts the connector and its tasks: after its database went away a task may have stopped for good. */
    static void restartConnector() {
        RestAssured.given().post(connectUrl() + "/connectors/pandashop-postgres/restart?includeTasks=true");
    }

    private static void run(String script, String... args) {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("bash", script));
        command.addAll(java.util.List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("RUN_DIR", PackagedService.env("RUN_DIR", Path.of(".run", "test").toAbsolutePath().toString()));
        env.putAll(PackagedService.stackEnvironment());
        env.put("KAFKA_CONTROLLER_PORT", PackagedService.env("KAFKA_CONTROLLER_PORT", "19093"));
        env.put("CONNECT_PORT", PackagedService.env("CONNECT_PORT", "18083"));
        env.put("CLICKHOUSE_TCP_PORT", PackagedService.env("CLICKHOUSE_TCP_PORT", "19000"));
        env.put("PG_FAST", "1");
        try {
            File log = Files.createTempFile("stack-", ".log").toFile();
            Process p = pb.redirectOutput(log).start();
            if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(script + " " + String.join(" ", args) + " failed: "
                        + Files.readString(log.toPath()));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
