package io.pandashop.pipeline.cdc;

import java.util.UUID;

/** The canonical text form of a UUID, as PostgreSQL writes it: 8-4-4-4-12 hex digits. */
public final class Uuids {

    /** The canonical text's length. */
    public static final int LENGTH = 36;

    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private Uuids() {
    }

    /**
     * Writes {@code id}'s canonical text (lower case, as {@link UUID#toString()}) as ASCII into {@code c} from index
     * 0, without a String: the JSON writers' and Redis arguments' UUIDs were 3 % of the service's allocation.
     * Returns {@link #LENGTH}.
     */
    public static int formatInto(UUID id, byte[] c) {
        long msb = id.getMostSignificantBits();
        long lsb = id.getLeastSignificantBits();
        hexDigits(c, 0, msb >>> 32, 8);
        c[8] = '-';
        hexDigits(c, 9, msb >>> 16, 4);
        c[13] = '-';
        hexDigits(c, 14, msb, 4);
        c[18] = '-';
        hexDigits(c, 19, lsb >>> 48, 4);
        c[23] = '-';
        hexDigits(c, 24, lsb, 12);
        return LENGTH;
    }

    /** The canonical text as ASCII bytes in an array of its own (a Redis argument). */
    public static byte[] asciiBytes(UUID id) {
        byte[] b = new byte[LENGTH];
        formatInto(id, b);
        return b;
    }

    /** The low {@code digits} hex digits of {@code value} at {@code at}, high digit first. */
    private static void hexDigits(byte[] c, int at, long value, int digits) {
        for (int i = at + digits - 1; i >= at; i--) {
            c[i] = HEX[(int) (value & 0xF)];
            value >>>= 4;
        }
    }

    static boolean isCanonical(String s) {
        return s.length() == 36 && parse(s.toCharArray(), 0, 36) != null;
    }

    /**
     * The UUID {@code chars[offset, offset + length)} spell in canonical form, or null when they do not: read
     * straight from the parser's buffer, without a String per id (two per change).
     */
    static UUID parse(char[] chars, int offset, int length) {
        if (length != 36) {
            return null;
        }
        long msb = 0;
        long lsb = 0;
        for (int i = 0; i < 36; i++) {
            char c = chars[offset + i];
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                if (c != '-') {
                    return null;
                }
                continue;
            }
            int digit = hex(c);
            if (digit < 0) {
                return null;
            }
            if (i < 18) {
                msb = (msb << 4) | digit;
            } else {
                lsb = (lsb << 4) | digit;
            }
        }
        return new UUID(msb, lsb);
    }

    /** An ASCII hex digit's value, -1 for anything else (Character.digit also takes other scripts' digits). */
    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
