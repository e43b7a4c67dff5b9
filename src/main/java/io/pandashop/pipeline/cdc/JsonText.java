package io.pandashop.pipeline.cdc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A text column that travels as JSON (raw_payload): from a Debezium record, the string's bytes as they arrived,
 * still escaped, in the record's own array; from PostgreSQL (a backfill), the text. The envelope writes the bytes
 * back as they came, so a payload is neither unescaped into a String on the way in nor escaped again on the way out
 * (for a 900 KB payload, both were megabytes of work). Equal, and of equal hash code, to any JsonText of the same
 * text however it arrived: {@link #hashCode()} is the text's {@link String#hashCode()}, computed from the escaped
 * bytes, so idempotency keys (which hash the row image) are what they were with the text as a String.
 */
public final class JsonText {

    private static final JsonFactory JSON = new JsonFactory();

    /** The escaped UTF-8 bytes between the quotes (escaped != null), or the text. */
    private final byte[] escaped;
    private final int offset;
    private final int length;
    private final int hash;
    private String text;

    private JsonText(byte[] escaped, int offset, int length, int hash, String text) {
        this.escaped = escaped;
        this.offset = offset;
        this.length = length;
        this.hash = hash;
        this.text = text;
    }

    /** The text itself; null for null. */
    public static JsonText of(String text) {
        return text == null ? null : new JsonText(null, 0, 0, text.hashCode(), text);
    }

    /**
     * The JSON string whose opening quote is {@code bytes[quote]}, kept where it is (the array is shared, not to be
     * written to). Reads up to its closing quote, checking the escapes and the UTF-8 as a JSON parser does.
     *
     * @throws MalformedChangeException when it is not a well-formed JSON string
     */
    static JsonText ofQuoted(byte[] bytes, int quote) {
        if (quote < 0 || quote >= bytes.length || bytes[quote] != '"') {
            throw new IllegalArgumentException("no JSON string at " + quote);
        }
        int h = 0;
        int i = quote + 1;
        while (true) {
            if (i >= bytes.length) {
                throw new MalformedChangeException("unterminated string");
            }
            int b = bytes[i] & 0xFF;
            if (b == '"') {
                break;
            }
            if (b == '\\') {
                if (i + 1 >= bytes.length) {
                    throw new MalformedChangeException("unterminated string");
                }
                int e = bytes[i + 1];
                char c;
                switch (e) {
                    case '"' -> c = '"';
                    case '\\' -> c = '\\';
                    case '/' -> c = '/';
                    case 'b' -> c = '\b';
                    case 'f' -> c = '\f';
                    case 'n' -> c = '\n';
                    case 'r' -> c = '\r';
                    case 't' -> c = '\t';
                    case 'u' -> {
                        if (i + 5 >= bytes.length) {
                            throw new MalformedChangeException("unterminated \\u escape");
                        }
                        int v = 0;
                        for (int k = i + 2; k < i + 6; k++) {
                            int d = Character.digit(bytes[k], 16);
                            if (d < 0) {
                                throw new MalformedChangeException("bad \\u escape in a string");
                            }
                            v = (v << 4) | d;
                        }
                        c = (char) v;
                        i += 4;
                    }
                    default -> throw new MalformedChangeException("bad escape '\\" + (char) e + "' in a string");
                }
                h = 31 * h + c;
                i += 2;
            } else if (b < 0x20) {
                throw new MalformedChangeException("unescaped control character in a string");
            } else if (b < 0x80) {
                h = 31 * h + b;
                i++;
            } else {
                int extra;
                int cp;
                if ((b & 0xE0) == 0xC0) {
                    extra = 1;
                    cp = b & 0x1F;
                } else if ((b & 0xF0) == 0xE0) {
                    extra = 2;
                    cp = b & 0x0F;
                } else if ((b & 0xF8) == 0xF0) {
                    extra = 3;
                    cp = b & 0x07;
                } else {
                    throw new MalformedChangeException("invalid UTF-8 in a string");
                }
                if (i + extra >= bytes.length) {
                    throw new MalformedChangeException("unterminated string");
                }
                for (int k = 1; k <= extra; k++) {
                    int next = bytes[i + k] & 0xFF;
                    if ((next & 0xC0) != 0x80) {
                        throw new MalformedChangeException("invalid UTF-8 in a string");
                    }
                    cp = (cp << 6) | (next & 0x3F);
                }
                if (extra == 3) {
                    // Outside the BMP: a String holds it as a surrogate pair, and hashes both halves.
                    cp -= 0x10000;
                    h = 31 * h + (char) (0xD800 | (cp >> 10));
                    h = 31 * h + (char) (0xDC00 | (cp & 0x3FF));
                } else {
                    h = 31 * h + (char) cp;
                }
                i += extra + 1;
            }
        }
        return new JsonText(bytes, quote + 1, i - quote - 1, h, null);
    }

    /** The text (decoded once, when first asked for: the service itself only writes and hashes it). */
    public String text() {
        if (text == null) {
            try (JsonParser p = JSON.createParser(escaped, offset - 1, length + 2)) {
                if (p.nextToken() != JsonToken.VALUE_STRING) {
                    throw new IllegalStateException("not a JSON string");
                }
                text = p.getText();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return text;
    }

    /** Whether it is kept as the bytes it arrived as (not decoded). */
    boolean isEscapedBytes() {
        return escaped != null;
    }

    /** Writes it as a JSON string value: the bytes it arrived as, or the text, escaped. */
    public void writeTo(JsonGenerator g) throws IOException {
        if (escaped != null) {
            g.writeRawUTF8String(escaped, offset, length);
        } else {
            g.writeString(text);
        }
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JsonText other && other.hash == hash && other.text().equals(text());
    }

    @Override
    public String toString() {
        return text();
    }
}
