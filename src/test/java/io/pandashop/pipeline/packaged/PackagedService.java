package io.pandashop.pipeline.packaged;

import io.pandashop.pipeline.testsupport.FileTrees;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged service (target/quarkus-app) started the way src/main/docker/Dockerfile.jvm starts it: its COPY
 * lines lay the files out under a folder standing for the image's root, and its WORKDIR, ENV and ENTRYPOINT are
 * used as written. When the tests run as root, the service runs as user nobody, as the image runs as a non-root
 * user. It is pointed at the test stack (deploy/local/test.sh) through the same environment variables as the
 * local stack's scripts.
 */
public final class PackagedService implements AutoCloseable {

    public static final Path ROOT = Path.of(System.getProperty("user.dir"));
    public static final Path DOCKERFILE = ROOT.resolve("src/main/docker/Dockerfile.jvm");
    private static final int NOBODY = 65534;

    private final Process process;
    private final Path log;
    public final int port;
    public final Path imageRoot;

    private PackagedService(Process process, Path log, int port, Path imageRoot) {
        this.process = process;
        this.log = log;
        this.port = port;
        this.imageRoot = imageRoot;
    }

    /** What the Dockerfile says about running the service. */
    public record ImageSpec(String workdir, Map<String, String> env, List<String> entrypoint,
            List<String[]> copies, String user, List<Integer> exposed) {

        public static ImageSpec read(Path dockerfile) throws IOException {
            String workdir = "/";
            Map<String, String> env = new LinkedHashMap<>();
            List<String> entrypoint = List.of();
            List<String[]> copies = new ArrayList<>();
            String user = "root";
            List<Integer> exposed = new ArrayList<>();
            Pattern envLine = Pattern.compile("^ENV\\s+(\\w+)=\"?(.*?)\"?$");
            for (String raw : Files.readAllLines(dockerfile)) {
                String line = raw.strip();
                Matcher m = envLine.matcher(line);
                if (line.startsWith("WORKDIR ")) {
                    workdir = line.substring(8).strip();
                } else if (m.matches()) {
                    env.put(m.group(1), m.group(2).replace("'", ""));
                } else if (line.startsWith("ENTRYPOINT ")) {
                    entrypoint = jsonArray(line.substring(11).strip());
                } else if (line.startsWith("COPY ")) {
                    List<String> parts = new ArrayList<>(List.of(line.substring(5).strip().split("\\s+")));
                    parts.removeIf(p -> p.startsWith("--"));
                    copies.add(new String[] { parts.get(0), parts.get(1) });
                } else if (line.startsWith("USER ")) {
                    user = line.substring(5).strip();
                } else if (line.startsWith("EXPOSE ")) {
                    for (String p : line.substring(7).strip().split("\\s+")) {
                        exposed.add(Integer.parseInt(p));
                    }
                }
            }
            return new ImageSpec(workdir, env, entrypoint, copies, user, exposed);
        }

        private static List<String> jsonArray(String text) {
            List<String> items = new ArrayList<>();
            Matcher m = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(text);
            while (m.find()) {
                items.add(m.group(1).replace("\\\"", "\""));
            }
            return items;
        }
    }

    /** Test-stack ports: the variables deploy/local/test.sh exports, or its defaults. */
    public static Map<String, String> stackEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PG_PORT", env("PG_PORT", "15432"));
        env.put("KAFKA_PORT", env("KAFKA_PORT", "19092"));
        env.put("REDIS_PORT", env("REDIS_PORT", "16379"));
        env.put("CLICKHOUSE_HTTP_PORT", env("CLICKHOUSE_HTTP_PORT", "18123"));
        env.put("EXTERNAL_PORT", env("EXTERNAL_PORT", "18089"));
        // The packaged service runs in the prod profile, which has no fallback credentials.
        env.put("PG_PASSWORD", env("PG_PASSWORD", "postgrespw"));
        env.put("EXTERNAL_AUTH", env("EXTERNAL_AUTH", "Bearer test-token"));
        env.put("PIPELINE_ADMIN_TOKEN", env("PIPELINE_ADMIN_TOKEN", "test-admin-token"));
        return env;
    }

    public static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    /**
     * Lays the image out and starts the service.
     *
     * @param settings environment variables on top of the Dockerfile's ENV and the stack's ports
     */
    public static PackagedService start(String name, Map<String, String> settings) throws IOException {
        if (!Files.exists(ROOT.resolve("target/quarkus-app/quarkus-run.jar"))) {
            throw new IllegalStateException("no target/quarkus-app: the package phase runs before these tests");
        }
        ImageSpec spec = ImageSpec.read(DOCKERFILE);
        Path imageRoot = Files.createTempDirectory("image-" + name + "-");
        for (String[] copy : spec.copies()) {
            copy(copy[0], imageRoot.resolve(copy[1].substring(1)));
        }
        Path workdir = imageRoot.resolve(spec.workdir().substring(1));
        int port = freePort();
        Path log = Files.createTempFile("service-" + name + "-", ".log");

        List<String> command = new ArrayList<>();
        if (runningAsRoot() && Files.isExecutable(Path.of("/usr/bin/setpriv"))) {
            // The image's files belong to its user, and the service runs as a user that is not root.
            exec(List.of("chown", "-R", NOBODY + ":" + NOBODY, imageRoot.toString()));
            exec(List.of("chmod", "755", imageRoot.toString()));
            command.addAll(List.of("/usr/bin/setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"));
            Files.setPosixFilePermissions(log, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
        }
        command.addAll(spec.entrypoint());
        ProcessBuilder pb = new ProcessBuilder(command).directory(workdir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(spec.env());
        pb.environment().putAll(stackEnvironment());
        pb.environment().put("SERVICE_PORT", Integer.toString(port));
        pb.environment().putAll(settings);
        return new PackagedService(pb.start(), log, port, imageRoot);
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    public long pid() {
        return process.pid();
    }

    /** The user the service's process runs as. */
    public int uid() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
            if (line.startsWith("Uid:")) {
                return Integer.parseInt(line.split("\\s+")[1]);
            }
        }
        throw new IllegalStateException("no Uid line");
    }

    /** Waits until /q/health/ready answers 200; fails with the end of its log if it exits or times out. */
    public void awaitReady(Duration atMost) throws Exception {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the service exited with " + process.exitValue() + ":\n" + tail());
            }
            if (status("/q/health/ready") == 200) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("not ready within " + atMost + ":\n" + tail());
    }

    public int status(String path) {
        return get(path, c -> c.getResponseCode(), -1);
    }

    /** The body of a GET, whatever its status (health endpoints answer 503 with the reasons); "" when unreachable. */
    public String body(String path) {
        return get(path, c -> {
            java.io.InputStream in = c.getResponseCode() >= 400 ? c.getErrorStream() : c.getInputStream();
            return in == null ? "" : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }, "");
    }

    private interface Answer<T> {
        T read(HttpURLConnection c) throws IOException;
    }

    private <T> T get(String path, Answer<T> answer, T unreachable) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url(path)).toURL().openConnection();
            c.setConnectTimeout(1000);
            c.setReadTimeout(5000);
            try {
                return answer.read(c);
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            return unreachable;
        }
    }

    /** SIGKILL: no shutdown hook, no last commit. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(20, TimeUnit.SECONDS);
    }

    /** SIGTERM, as Kubernetes stops a pod; the exit status. */
    public int stop(Duration grace) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            return -1;
        }
        return process.exitValue();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** Everything the service has logged so far. */
    public String log() throws IOException {
        return Files.readString(log);
    }

    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            stop(Duration.ofSeconds(20));
        }
        FileTrees.delete(imageRoot);
    }

    /** COPY SRC DEST: a folder's contents, or the files a glob matches, into the folder DEST. */
    private static void copy(String source, Path dest) throws IOException {
        Files.createDirectories(dest);
        if (source.contains("*")) {
            Path dir = ROOT.resolve(source.substring(0, source.lastIndexOf('/')));
            try (DirectoryStream<Path> matches = Files.newDirectoryStream(dir, source.substring(source.lastIndexOf('/') + 1))) {
                for (Path p : matches) {
                    Files.copy(p, dest.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return;
        }
        FileTrees.copy(ROOT.resolve(source), dest, StandardCopyOption.REPLACE_EXISTING);
    }

    private static boolean runningAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static void exec(List<String> command) throws IOException {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            if (p.waitFor() != 0) {
                throw new IOException(command + " failed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
