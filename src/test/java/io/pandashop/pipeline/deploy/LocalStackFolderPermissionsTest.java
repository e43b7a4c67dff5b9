package io.pandashop.pipeline.deploy;

import io.pandashop.pipeline.testsupport.FileTrees;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A new user's clone under a home folder of mode 700, started as root: PostgreSQL runs as the postgres user, who
 * cannot enter that folder. The stack must stop at once and say what to do, and what it says must work.
 */
class LocalStackFolderPermissionsTest {

    private static final Path ROOT = Path.of(System.getProperty("user.dir"));

    @Test
    void aCloneUnderAClosedHomeFolderGetsAMessageThatWorks() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/sbin/runuser")),
                "the local stack runs PostgreSQL as the postgres user only when started as root");
        Path home = Files.createTempDirectory("home-");
        Path elsewhere = Files.createTempDirectory("run-");
        try {
            Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
            Path clone = home.resolve("cdc-pipeline");
            FileTrees.copy(ROOT.resolve("deploy/local"), clone.resolve("deploy/local"), StandardCopyOption.COPY_ATTRIBUTES);
            String port = Integer.toString(freePort());

            Result refused = run(clone, Map.of("PG_PORT", port), "stack-up.sh", "postgres");
            assertEquals(1, refused.status, refused.output);
            assertTrue(refused.output.contains("the postgres user cannot enter " + home), refused.output);
            assertTrue(refused.output.contains("RUN_DIR=/var/tmp/cdc-pipeline"), refused.output);
            assertTrue(refused.seconds < 20, "it stops at once, not after a timeout: " + refused.seconds + " s");

            // The first way out it names: the run folder elsewhere.
            Files.setPosixFilePermissions(elsewhere, PosixFilePermissions.fromString("rwxr-xr-x"));
            Map<String, String> moved = Map.of("PG_PORT", port, "RUN_DIR", elsewhere.toString());
            Result started = run(clone, moved, "stack-up.sh", "postgres");
            try {
                assertEquals(0, started.status, started.output);
                assertTrue(started.output.contains("postgres   up"), started.output);
            } finally {
                run(clone, moved, "stack-down.sh", "--purge", "postgres");
            }
        } finally {
            FileTrees.delete(home);
            FileTrees.delete(elsewhere);
        }
    }

    private record Result(int status, String output, long seconds) {
    }

    private static Result run(Path clone, Map<String, String> env, String script, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("bash", "deploy/local/" + script));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(clone.toFile()).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.endsWith("_PORT") || k.equals("RUN_DIR"));
        // The tools (Kafka, ClickHouse, ...) are the ones this checkout installed; only PostgreSQL is started.
        pb.environment().put("TOOLS_DIR", ROOT.resolve(".run/tools").toString());
        pb.environment().putAll(env);
        long start = System.nanoTime();
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), script + " did not end");
        return new Result(p.exitValue(), output, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
