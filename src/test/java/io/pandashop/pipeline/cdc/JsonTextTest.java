package io.pandashop.pipeline.cdc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * raw_payload kept as the escaped bytes it arrived as: its hash is the text's String hash (idempotency keys stay
 * what they were), its text is what a JSON parser reads, it is written back byte for byte, and a malformed string
 * is refused as a JSON parser refuses it.
 */
class JsonTextTest {

    private static final JsonFactory PLAIN = new JsonFactory();
    private static final JsonFactory ASCII = JsonFactory.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();
    private static final String ALPHABET = "ab\"\\/\b\f\n\r\t\u0001\u001f é✓\u2028\ud83d\ude00{}:,[]0";

    @Test
    void sameHashAndTextAsTheStringAndWrittenBackAsItCame() throws IOException {
        Random random = new Random(23);
        for (int i = 0; i < 5_000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = random.nextInt(60);
            for (int k = 0; k < n; k++) {
                int at = random.nextInt(ALPHABET.length());
                char c = ALPHABET.charAt(at);
                if (Character.isLowSurrogate(c)) {
                    sb.append(ALPHABET.charAt(at - 1)); // keep pairs whole
                }
                sb.append(c);
                if (Character.isHighSurrogate(c)) {
                    sb.append(ALPHABET.charAt(at + 1));
                }
            }
            String text = sb.toString();
            // Jackson writes characters outside the BMP as \\u escapes; another writer may send them as 4-byte UTF-8.
            for (String quoted : new String[] {quoted(PLAIN, text), quoted(ASCII, text), rawUtf8(text)}) {
                byte[] json = ("xx" + quoted).getBytes(StandardCharsets.UTF_8); // at an offset, as in a record
                JsonText t = JsonText.ofQuoted(json, 2);
                assertEquals(text.hashCode(), t.hashCode(), text);
                assertEquals(text, t.text());
                assertEquals(JsonText.of(text), t);
                assertEquals(JsonText.of(text).hashCode(), t.hashCode());
                assertArrayEquals(Arrays.copyOfRange(json, 2, json.length), written(t), "the bytes as they came");
            }
        }
    }

    @Test
    void aMalformedStringIsRefused() {
        for (String bad : new String[] {"\"a\\x\"", "\"a\\u12g4\"", "\"tab\there\"", "\"open", "\"a\\", "\"\\u12\""}) {
            byte[] b = bad.getBytes(StandardCharsets.UTF_8);
            assertThrows(MalformedChangeException.class, () -> JsonText.ofQuoted(b, 0), bad);
        }
        byte[] invalidUtf8 = {'"', (byte) 0xC3, 'a', '"'};
        assertThrows(MalformedChangeException.class, () -> JsonText.ofQuoted(invalidUtf8, 0));
        byte[] loneContinuation = {'"', (byte) 0x80, '"'};
        assertThrows(MalformedChangeException.class, () -> JsonText.ofQuoted(loneContinuation, 0));
    }

    @Test
    void textIsWrittenEscaped() throws IOException {
        JsonText t = JsonText.of("say \"hi\"");
        assertTrue(!t.isEscapedBytes());
        assertEquals("\"say \\\"hi\\\"\"", new String(written(t), StandardCharsets.UTF_8));
    }

    /** The text quoted with only what JSON requires escaped: every other character as itself (UTF-8). */
    private static String rawUtf8(String text) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    private static String quoted(JsonFactory f, String text) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = f.createGenerator(out)) {
            g.writeString(text);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static byte[] written(JsonText t) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = PLAIN.createGenerator(out)) {
            t.writeTo(g);
        }
        return out.toByteArray();
    }
}
