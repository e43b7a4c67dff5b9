package io.pandashop.pipeline.cdc;

/**
 * Strings of short values that repeat from change to change (event types, devices, ops), made once and then found
 * again from the parser's characters: two or three Strings per change fewer. A fixed table, one entry per slot:
 * a value that collides or churns is simply made anew, so memory stays bounded whatever the data. Safe to share
 * between threads: an entry is an immutable String, read and replaced whole.
 */
final class RepeatedTexts {

    private static final int SLOTS = 512;
    /** Longer values are rarely repeated labels: not looked up. */
    private static final int MAX_LENGTH = 32;

    private final String[] slots = new String[SLOTS];

    String of(char[] chars, int offset, int length) {
        if (length > MAX_LENGTH) {
            return new String(chars, offset, length);
        }
        int hash = 0;
        for (int i = offset; i < offset + length; i++) {
            hash = 31 * hash + chars[i];
        }
        int slot = (hash ^ (hash >>> 16)) & (SLOTS - 1);
        String known = slots[slot];
        if (known != null && spells(known, chars, offset, length)) {
            return known;
        }
        String made = new String(chars, offset, length);
        slots[slot] = made;
        return made;
    }

    private static boolean spells(String s, char[] chars, int offset, int length) {
        if (s.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (s.charAt(i) != chars[offset + i]) {
                return false;
            }
        }
        return true;
    }
}
