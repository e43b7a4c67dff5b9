package io.pandashop.pipeline.testsupport;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real Redis servers of a test's own: one standalone server, or a three-master Redis Cluster, started from the
 * {@code redis-server} that deploy/local/install.sh installs, on free ports and in a temporary folder, stopped by
 * {@link #close()}. Without redis-server the test fails and says how to get it.
 */
public final class PrivateRedis implements AutoCloseable {

    private final List<Process> servers = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();
    private final Path dir;

    private PrivateRedis() throws IOException {
        this.dir = Files.createTempDirectory("private-redis-");
    }

    public static PrivateRedis standalone() throws IOException, InterruptedException {
        PrivateRedis redis = new PrivateRedis();
        redis.startServer(false);
        return redis;
    }

    public static PrivateRedis cluster() throws IOException, InterruptedException {
        PrivateRedis redis = new PrivateRedis();
        for (int i = 0; i < 3; i++) {
            redis.startServer(true);
        }
        List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        redis.ports.forEach(p -> create.add("127.0.0.1:" + p));
        create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        String out = run(create);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        for (int port : redis.ports) {
            while (!run(List.of("redis-cli", "-p", Integer.toString(port), "cluster", "info"))
                    .contains("cluster_state:ok")) {
                if (System.nanoTime() > deadline) {
                    redis.close();
                    throw new IllegalStateException("the cluster did not become ready: " + out);
                }
                Thread.sleep(100); // polling the cluster state, the condition is checked above
            }
        }
        return redis;
    }

    /** A Vert.x connection string for the first server (a cluster client discovers the others from it). */
    public String url() {
        return "redis://127.0.0.1:" + ports.get(0);
    }

    private void startServer(boolean clusterNode) throws IOException, InterruptedException {
        int port = freePort();
        List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString()));
        if (clusterNode) {
            command.addAll(List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes-" + port + ".conf"));
        }
        Process server;
        try {
            server = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis-" + port + ".log").toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("redis-server not found (" + e.getMessage() + "): run "
                    + "deploy/local/install.sh, which installs Debian's redis-server", e);
        }
        servers.add(server);
        ports.add(port);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!run(List.of("redis-cli", "-p", Integer.toString(port), "ping")).contains("PONG")) {
            if (!server.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("redis-server on " + port + " did not start: "
                        + Files.readString(dir.resolve("redis-" + port + ".log")));
            }
            Thread.sleep(50); // polling for the server to answer, the condition is checked above
        }
    }

    @Override
    public void close() {
        for (Process server : servers) {
            server.destroy();
        }
        for (Process server : servers) {
            try {
                if (!server.waitFor(5, TimeUnit.SECONDS)) {
                    server.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            FileTrees.delete(dir);
        } catch (IOException e) {
            // a temporary folder left behind is no test failure
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }
}
