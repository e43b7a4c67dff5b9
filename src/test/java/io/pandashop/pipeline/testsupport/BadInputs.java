package io.pandashop.pipeline.testsupport;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Records no Debezium connector would send but a topic can hold (a bad producer, a broken converter, a hand-made
 * fix): each with the reason the pipeline must give when it parks it. Shared by the decoder's unit test and the
 * end-to-end test on the real stack.
 */
public final class BadInputs {

    /**
     * @param name         what is wrong (the Kafka key of the record in the end-to-end test)
     * @param value        the record's value
     * @param reason       a fragment the dead-letter reason must contain
     * @param decoderCatch true when decoding alone refuses it (false: the range check after decoding does)
     */
    public record Case(String name, byte[] value, String reason, boolean decoderCatch) {
    }

    private BadInputs() {
    }

    /** A valid engagement envelope (op c) for event {@code id}, with {@code after} fields overriding the defaults. */
    public static String envelope(long id, String eventTs, String extraAfter) {
        return "{\"before\":null,\"after\":{\"id\":" + id + ",\"content_id\":null,"
                + "\"user_id\":\"aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa\",\"event_type\":\"play\",\"event_ts\":\""
                + eventTs + "\",\"duration_ms\":1000,\"device\":\"web\",\"raw_payload\":null" + extraAfter + "},"
                + "\"source\":{\"lsn\":" + (1000 + id) + ",\"txId\":7,\"ts_ms\":" + System.currentTimeMillis() + "},"
                + "\"op\":\"c\",\"ts_ms\":" + System.currentTimeMillis() + "}";
    }

    public static List<Case> engagement() {
        String now = Instant.now().toString();
        String valid = envelope(1, now, "");
        List<Case> cases = new ArrayList<>();
        cases.add(text("not-json", "garbage{", "not JSON"));
        cases.add(text("truncated-json", valid.substring(0, valid.length() / 2), "not JSON"));
        byte[] notUtf8 = envelope(1, now, "").replace("\"web\"", "\"w#b\"").getBytes(StandardCharsets.UTF_8);
        int at = indexOf(notUtf8, (byte) '#');
        notUtf8[at] = (byte) 0xC3; // a two-byte lead whose next byte is no continuation
        notUtf8[at + 1] = (byte) 0x28;
        cases.add(new Case("not-utf8", notUtf8, "not JSON", true));
        cases.add(text("trailing-garbage", valid + " {\"op\":\"d\"}", "trailing data after the envelope"));
        cases.add(text("duplicate-field", valid.replace("\"op\":\"c\"", "\"op\":\"c\",\"op\":\"d\""),
                "duplicate field 'op'"));
        cases.add(text("duplicate-row-field",
                valid.replace("\"duration_ms\":1000", "\"duration_ms\":1000,\"duration_ms\":9"),
                "'after': duplicate field 'duration_ms'"));
        cases.add(text("duplicate-lsn", valid.replace("\"lsn\":1001", "\"lsn\":1001,\"lsn\":5"),
                "duplicate field 'source.lsn'"));
        cases.add(text("json-array", "[" + valid + "]", "not a JSON object"));
        cases.add(text("json-string", "\"hello\"", "not a JSON object"));
        cases.add(text("unknown-op", valid.replace("\"op\":\"c\"", "\"op\":\"x\""), "unknown op 'x'"));
        cases.add(text("missing-id", valid.replace("\"id\":1,", ""), "missing 'id'"));
        cases.add(text("missing-source", valid.replace("\"source\":{\"lsn\":1001,", "\"src\":{\"lsn\":1001,"),
                "source.lsn"));
        cases.add(text("id-as-string", valid.replace("\"id\":1,", "\"id\":\"1\","), "'id' is not a 64-bit integer"));
        cases.add(text("lsn-as-string", valid.replace("\"lsn\":1001", "\"lsn\":\"1001\""),
                "'source.lsn' is not a 64-bit integer"));
        cases.add(text("invalid-uuid", valid.replace("\"content_id\":null", "\"content_id\":\"not-a-uuid\""),
                "'content_id' is not a UUID"));
        cases.add(text("short-uuid", valid.replace("\"content_id\":null", "\"content_id\":\"1-1-1-1-1\""),
                "'content_id' is not a UUID"));
        cases.add(text("negative-id", valid.replace("\"id\":1,", "\"id\":-5,"), "'id' is negative"));
        cases.add(text("duration-beyond-int", valid.replace("\"duration_ms\":1000", "\"duration_ms\":3000000000"),
                "'duration_ms' is not an integer"));
        cases.add(new Case("event-ts-2400", envelope(1, "2400-01-01T00:00:00Z", "").getBytes(StandardCharsets.UTF_8),
                "outside what ClickHouse DateTime64 stores", false));
        cases.add(new Case("event-ts-1800", envelope(1, "1800-01-01T00:00:00Z", "").getBytes(StandardCharsets.UTF_8),
                "outside what ClickHouse DateTime64 stores", false));
        cases.add(text("deep-nesting", "{\"op\":\"c\",\"x\":" + "{\"x\":".repeat(10_000) + "1" + "}".repeat(10_000)
                + "}", "nesting depth"));
        cases.add(new Case("malformed-900kb", huge(900 * 1024), "not JSON", true));
        return cases;
    }

    /** "{" followed by {@code size} bytes of letters: not JSON, and too large to dead-letter whole with a reason. */
    public static byte[] huge(int size) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(size + 1);
        out.write('{');
        for (int i = 0; i < size; i++) {
            out.write('a' + i % 26);
        }
        return out.toByteArray();
    }

    private static Case text(String name, String value, String reason) {
        return new Case(name, value.getBytes(StandardCharsets.UTF_8), reason, true);
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        throw new IllegalArgumentException("not found");
    }
}
