package io.pandashop.pipeline.layout;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The code layout rule (README, "Channel topology"): packages by pipeline stage, each using only the stages
 * before it in the flow, and one sink never using another. config, health and deadletter are shared.
 */
class PackageDirectionTest {

    private static final Path SOURCES = Path.of("src", "main", "java", "io", "pandashop", "pipeline");
    private static final List<String> FLOW = List.of("cdc", "content", "enrich", "backfill", "ingest", "fanout", "sink", "api");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?io\\.pandashop\\.pipeline\\.([a-z]+)"
            + "(?:\\.([a-z]+))?", Pattern.MULTILINE);

    @Test
    void everyStageUsesOnlyTheStagesBeforeIt() throws IOException {
        List<String> violations = new ArrayList<>();
        int checked = 0;
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Path relative = SOURCES.relativize(file);
                String stage = relative.getName(0).toString();
                String sink = stage.equals("sink") && relative.getNameCount() > 2 ? relative.getName(1).toString() : null;
                Matcher m = IMPORT.matcher(Files.readString(file));
                while (m.find()) {
                    checked++;
                    String used = m.group(1);
                    String usedSink = used.equals("sink") && m.group(2) != null
                            && Character.isLowerCase(m.group(2).charAt(0)) ? m.group(2) : null;
                    if (FLOW.contains(stage) && FLOW.contains(used) && FLOW.indexOf(used) > FLOW.indexOf(stage)) {
                        violations.add(relative + " (" + stage + ") uses the later stage " + used);
                    }
                    if (!FLOW.contains(stage) && FLOW.contains(used)) {
                        violations.add(relative + " (shared " + stage + ") uses the stage " + used);
                    }
                    if (sink != null && usedSink != null && !sink.equals(usedSink)) {
                        violations.add(relative + " (sink " + sink + ") uses sink " + usedSink);
                    }
                }
            }
        }
        assertTrue(checked > 50, "the rule looked at the project's imports (" + checked + ")");
        assertEquals(List.of(), violations);
    }
}
