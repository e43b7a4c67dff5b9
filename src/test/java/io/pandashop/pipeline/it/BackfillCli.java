package io.pandashop.pipeline.it;

import io.restassured.RestAssured;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** deploy/local/backfill.py run as an operator runs it, against the service under test; its output kept. */
final class BackfillCli {

    private final Process process;
    private final StringBuffer output = new StringBuffer();
    private final Thread reader;

    private BackfillCli(Process process) {
        this.process = process;
        this.reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    output.append(line).append('\n');
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "backfill-cli-output");
        reader.setDaemon(true);
        reader.start();
    }

    static BackfillCli start(String token, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("python3", Path.of("deploy/local/backfill.py").toAbsolutePath()
                .toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("SERVICE_URL", RestAssured.baseURI + ":" + RestAssured.port);
        builder.environment().put("PIPELINE_ADMIN_TOKEN", token);
        return new BackfillCli(builder.start());
    }

    /** Its exit status; fails when it has not ended within {@code atMost}. */
    int exitCode(Duration atMost) throws InterruptedException {
        if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("backfill.py still running after " + atMost + "; output:\n" + output());
        }
        reader.join(5_000); // the output up to the end
        return process.exitValue();
    }

    /** Ctrl-C, as an operator presses it. */
    void interrupt() throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor();
    }

    String output() {
        return output.toString();
    }
}
