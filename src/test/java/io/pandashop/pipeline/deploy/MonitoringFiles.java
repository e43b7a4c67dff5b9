package io.pandashop.pipeline.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the monitoring files use: the metric names in the Grafana dashboard's queries and in the alert rules, and the
 * metric names README.md's metrics table documents ("Metrics (Prometheus, `/q/metrics`) and the alert we would set").
 * Names are the ones Prometheus scrapes: a histogram's {@code _bucket}, {@code _count} and {@code _sum} series count
 * as the histogram itself.
 */
public final class MonitoringFiles {

    public static final Path ROOT = Path.of("").toAbsolutePath();
    public static final Path DASHBOARD = ROOT.resolve("deploy/monitoring/grafana-dashboard.json");
    public static final Path ALERT_TESTS = ROOT.resolve("deploy/monitoring/alerts-test.yaml");
    public static final Path PROMETHEUS_RULE = ROOT.resolve("deploy/k8s/base/prometheusrule.yaml");
    public static final Path README = ROOT.resolve("README.md");

    /** The pipeline's own metrics, and the ClickHouse datasource's pool (Agroal) metrics. */
    private static final Pattern METRIC = Pattern.compile("(?:pipeline|agroal)_[a-z_]+");
    private static final Pattern HISTOGRAM_SERIES = Pattern.compile("_(bucket|count|sum)$");
    private static final Pattern BACKTICKED = Pattern.compile("`([^`]+)`");
    private static final String README_SECTION = "### Metrics (Prometheus, `/q/metrics`)";

    private MonitoringFiles() {
    }

    /** Every metric the dashboard's panel queries ({@code expr}, rows' nested panels included) read. */
    public static Set<String> dashboardMetrics() {
        try {
            Set<String> names = new TreeSet<>();
            for (JsonNode expr : new ObjectMapper().readTree(DASHBOARD.toFile()).findValues("expr")) {
                names.addAll(metrics(expr.asText()));
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(DASHBOARD + " cannot be read", e);
        }
    }

    /** The pipeline (and Agroal) metrics one PromQL expression reads, histogram series named by their histogram. */
    public static Set<String> metrics(String promql) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(promql);
        while (m.find()) {
            // pipeline_*_count is a histogram's series; agroal_*_count is a gauge's own name
            names.add(m.group().startsWith("pipeline_") ? HISTOGRAM_SERIES.matcher(m.group()).replaceFirst("")
                    : m.group());
        }
        return names;
    }

    /** Every metric the alert rules' expressions read. */
    public static Set<String> alertMetrics() {
        try {
            Set<String> names = new TreeSet<>();
            for (JsonNode expr : new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                    .readTree(PROMETHEUS_RULE.toFile()).findValues("expr")) {
                names.addAll(metrics(expr.asText()));
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(PROMETHEUS_RULE + " cannot be read", e);
        }
    }

    /**
     * The metric names in the first column of README.md's metrics table, without their labels:
     * {@code pipeline_freshness_seconds{destination}} gives {@code pipeline_freshness_seconds}.
     */
    public static Set<String> readmeMetrics() {
        List<String> lines;
        try {
            lines = Files.readAllLines(README);
        } catch (IOException e) {
            throw new UncheckedIOException(README + " cannot be read", e);
        }
        int start = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(README_SECTION)) {
                start = i;
                break;
            }
        }
        if (start < 0) {
            throw new IllegalStateException(README + " has no section \"" + README_SECTION + "\"");
        }
        Set<String> names = new TreeSet<>();
        boolean inTable = false;
        for (int i = start + 1; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (!line.startsWith("|")) {
                if (inTable || line.startsWith("#")) {
                    break;
                }
                continue;
            }
            inTable = true;
            String[] cells = line.split("\\|");
            if (cells.length < 2) {
                continue;
            }
            Matcher m = BACKTICKED.matcher(cells[1]);
            while (m.find()) {
                names.add(m.group(1).replaceFirst("\\{.*$", ""));
            }
        }
        if (names.isEmpty()) {
            throw new IllegalStateException(README + ": no metric found in the table of \"" + README_SECTION + "\"");
        }
        return names;
    }
}
