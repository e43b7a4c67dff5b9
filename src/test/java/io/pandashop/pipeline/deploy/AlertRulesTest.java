package io.pandashop.pipeline.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static io.pandashop.pipeline.deploy.MonitoringFiles.ALERT_TESTS;
import static io.pandashop.pipeline.deploy.MonitoringFiles.DASHBOARD;
import static io.pandashop.pipeline.deploy.MonitoringFiles.PROMETHEUS_RULE;
import static io.pandashop.pipeline.deploy.MonitoringFiles.ROOT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The alerts (deploy/k8s/base/prometheusrule.yaml) as Prometheus sees them: the base rendered by {@code kubectl
 * kustomize}, the PrometheusRule's spec written as a plain rules file, checked by {@code promtool check rules} and
 * unit-tested by {@code promtool test rules} with deploy/monitoring/alerts-test.yaml, which must hold a firing and a
 * quiet case for every alert. The alerts and the Grafana dashboard read only metrics README.md's table documents.
 * promtool comes from deploy/local/install.sh (env PROMTOOL, else .run/tools/promtool/promtool); without it, or
 * without kubectl, the test fails and says so.
 */
class AlertRulesTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String RULE_NAME = "cdc-pipeline";

    @Test
    void promtoolChecksAndTestsTheRenderedRules(@TempDir Path tmp) throws Exception {
        Path promtool = promtool();
        List<JsonNode> rules = new ArrayList<>();
        for (JsonNode doc : RenderedManifests.build(ROOT.resolve("deploy/k8s/base"))) {
            if ("PrometheusRule".equals(doc.path("kind").asText())) {
                rules.add(doc);
            }
        }
        assertEquals(1, rules.size(), "the rendered base holds exactly one PrometheusRule");
        JsonNode rule = rules.get(0);
        assertEquals("monitoring.coreos.com/v1", rule.path("apiVersion").asText());
        assertEquals(RULE_NAME, rule.path("metadata").path("name").asText());

        // The unit tests name the rules file they load; the extracted spec is written under that name beside them.
        ObjectNode tests = (ObjectNode) YAML.readTree(ALERT_TESTS.toFile());
        JsonNode ruleFiles = tests.path("rule_files");
        String rulesName = ruleFiles.size() == 1 ? Path.of(ruleFiles.get(0).asText()).getFileName().toString()
                : RULE_NAME + ".rules.yaml";
        Path rulesFile = tmp.resolve(rulesName);
        YAML.writeValue(rulesFile.toFile(), rule.path("spec"));
        Path testFile = tmp.resolve(ALERT_TESTS.getFileName());
        if (ruleFiles.size() == 1 && ruleFiles.get(0).asText().equals(rulesName)) {
            Files.copy(ALERT_TESTS, testFile);
        } else {
            tests.putArray("rule_files").add(rulesName);
            YAML.writeValue(testFile.toFile(), tests);
        }

        Result check = run(tmp, List.of(promtool.toString(), "check", "rules", rulesName), true);
        assertEquals(0, check.exit, "promtool check rules " + rulesName + ":\n" + check.output
                + "\nrules file:\n" + Files.readString(rulesFile));
        Result unit = run(tmp, List.of(promtool.toString(), "test", "rules", testFile.getFileName().toString()), true);
        assertEquals(0, unit.exit, "promtool test rules " + ALERT_TESTS + ":\n" + unit.output);
    }

    @Test
    void everyAlertHasAFiringAndAQuietCase() throws IOException {
        Set<String> alerts = alertNames();
        assertFalse(alerts.isEmpty(), "no alert in " + PROMETHEUS_RULE);
        Set<String> firing = new TreeSet<>();
        Set<String> quiet = new TreeSet<>();
        for (JsonNode test : YAML.readTree(ALERT_TESTS.toFile()).path("tests")) {
            for (JsonNode c : test.path("alert_rule_test")) {
                String name = c.path("alertname").asText();
                JsonNode expected = c.path("exp_alerts");
                // promtool reads a missing exp_alerts as "no alert", as it does exp_alerts: []
                if (expected.isArray() && !expected.isEmpty()) {
                    firing.add(name);
                } else {
                    quiet.add(name);
                }
            }
        }
        Set<String> unknown = new TreeSet<>(firing);
        unknown.addAll(quiet);
        unknown.removeAll(alerts);
        // An exp_alerts: [] for an alert that does not exist passes in promtool: a renamed alert would go untested.
        assertTrue(unknown.isEmpty(), ALERT_TESTS + " tests alerts the rules do not have: " + unknown);
        Set<String> noFiring = new TreeSet<>(alerts);
        noFiring.removeAll(firing);
        assertTrue(noFiring.isEmpty(), "alerts without a firing case in " + ALERT_TESTS + ": " + noFiring);
        Set<String> noQuiet = new TreeSet<>(alerts);
        noQuiet.removeAll(quiet);
        assertTrue(noQuiet.isEmpty(), "alerts without a quiet case (exp_alerts: []) in " + ALERT_TESTS + ": " + noQuiet);
    }

    @Test
    void alertsReadOnlyMetricsTheReadmeDocuments() throws IOException {
        Set<String> readme = MonitoringFiles.readmeMetrics();
        for (JsonNode group : YAML.readTree(PROMETHEUS_RULE.toFile()).path("spec").path("groups")) {
            for (JsonNode r : group.path("rules")) {
                Set<String> used = MonitoringFiles.metrics(r.path("expr").asText());
                assertFalse(used.isEmpty(), r.path("alert").asText() + " reads no pipeline metric");
                Set<String> undocumented = new TreeSet<>(used);
                undocumented.removeAll(readme);
                assertTrue(undocumented.isEmpty(), r.path("alert").asText() + " reads metrics README.md's table does"
                        + " not have: " + undocumented + " (table: " + readme + ")");
            }
        }
    }

    @Test
    void dashboardReadsOnlyMetricsTheReadmeDocuments() throws IOException {
        Set<String> used = MonitoringFiles.dashboardMetrics();
        assertFalse(used.isEmpty(), DASHBOARD + " reads no pipeline metric");
        Set<String> readme = MonitoringFiles.readmeMetrics();
        Set<String> undocumented = new TreeSet<>(used);
        undocumented.removeAll(readme);
        assertTrue(undocumented.isEmpty(), DASHBOARD + " reads metrics README.md's table does not have: " + undocumented
                + " (table: " + readme + ")");
        // Importable into any Grafana: every query goes to the ${datasource} variable, no datasource uid is fixed.
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        for (JsonNode ds : dashboard.path("panels").findValues("datasource")) {
            assertEquals("${datasource}", ds.path("uid").asText(), DASHBOARD + ": a datasource that is not ${datasource}: "
                    + ds);
        }
        boolean variable = false;
        for (JsonNode v : dashboard.path("templating").path("list")) {
            variable |= v.path("name").asText().equals("datasource") && v.path("type").asText().equals("datasource")
                    && v.path("query").asText().equals("prometheus");
        }
        assertTrue(variable, DASHBOARD + " has no Prometheus datasource variable named datasource");
    }

    private static Set<String> alertNames() throws IOException {
        Set<String> names = new TreeSet<>();
        for (JsonNode group : YAML.readTree(PROMETHEUS_RULE.toFile()).path("spec").path("groups")) {
            for (JsonNode r : group.path("rules")) {
                if (r.has("alert")) {
                    names.add(r.path("alert").asText());
                }
            }
        }
        return names;
    }

    /** env PROMTOOL, else $TOOLS_DIR/promtool/promtool, else .run/tools/promtool/promtool (what install.sh makes). */
    private static Path promtool() {
        String env = System.getenv("PROMTOOL");
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env);
            if (!Files.isExecutable(p)) {
                fail("promtool not found: PROMTOOL=" + env + " is not an executable file; run deploy/local/install.sh"
                        + " (it puts promtool in .run/tools/promtool/promtool) or unset PROMTOOL");
            }
            return p;
        }
        String toolsDir = System.getenv("TOOLS_DIR");
        Path p = (toolsDir != null && !toolsDir.isBlank() ? Path.of(toolsDir) : ROOT.resolve(".run/tools"))
                .resolve("promtool/promtool");
        if (!Files.isExecutable(p)) {
            fail("promtool not found: run deploy/local/install.sh (it takes promtool from Debian's prometheus package"
                    + " into " + p + "), or set PROMTOOL to a promtool binary");
        }
        return p;
    }

    private record Result(int exit, String output, String error) {
    }

    /** Runs a command in {@code dir}, its stderr merged into its output if asked. */
    private static Result run(Path dir, List<String> command, boolean mergeErrors) throws IOException,
            InterruptedException {
        Path out = Files.createTempFile("alert-rules-out-", ".txt");
        Path err = Files.createTempFile("alert-rules-err-", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectOutput(out.toFile());
            if (mergeErrors) {
                pb.redirectErrorStream(true);
            } else {
                pb.redirectError(err.toFile());
            }
            Process process = pb.start();
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly().waitFor();
                fail(String.join(" ", command) + " did not finish in 2 min; output so far:\n" + Files.readString(out));
            }
            return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
