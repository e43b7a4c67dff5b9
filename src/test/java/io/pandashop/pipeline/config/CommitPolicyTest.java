package io.pandashop.pipeline.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The failure policy's configuration half: no Kafka channel may be closed by a timeout during an outage. With the
 * throttled commit strategy SmallRye closes the consumer (and fails liveness) once a record stays un-acked longer
 * than unprocessed-record-max-age, which any outage longer than that value does; so every committing channel must
 * disable it (-1), in every profile.
 */
class CommitPolicyTest {

    private static final String PREFIX = "mp.messaging.incoming.";

    @Test
    void noCommittingKafkaChannelHasAFiniteUnprocessedRecordMaxAge() throws IOException {
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("src", "main", "resources", "application.properties"))) {
            props.load(in);
        }
        List<String> channels = new ArrayList<>();
        for (String key : props.stringPropertyNames()) {
            if (key.startsWith(PREFIX) && key.endsWith(".connector") && "smallrye-kafka".equals(props.getProperty(key))) {
                channels.add(key.substring(PREFIX.length(), key.length() - ".connector".length()));
            }
        }
        assertTrue(channels.contains(Channels.ENGAGEMENT_EVENTS), "found the Kafka channels: " + channels);
        List<String> wrong = new ArrayList<>();
        for (String channel : channels) {
            String strategy = props.getProperty(PREFIX + channel + ".commit-strategy", "throttled");
            if (strategy.equals("ignore")) {
                continue; // commits nothing, tracks nothing
            }
            for (String key : props.stringPropertyNames()) {
                String plain = key.startsWith("%") ? key.substring(key.indexOf('.') + 1) : key;
                if (plain.equals(PREFIX + channel + ".throttled.unprocessed-record-max-age.ms")
                        && Long.parseLong(props.getProperty(key)) > 0) {
                    wrong.add(key + "=" + props.getProperty(key));
                }
            }
            if (!props.containsKey(PREFIX + channel + ".throttled.unprocessed-record-max-age.ms")) {
                wrong.add(channel + " keeps SmallRye's default max age (60 s)");
            }
        }
        assertEquals(List.of(), wrong);
    }
}
