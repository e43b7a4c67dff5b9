package io.pandashop.pipeline.cdc;

import java.util.UUID;

/** The canonical text form of a UUID, as PostgreSQL writes it: 8-4-4-4-12 hex digits. */
final class Uuids {

    private Uuids() {
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
