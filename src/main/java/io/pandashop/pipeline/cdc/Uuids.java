package io.pandashop.pipeline.cdc;

/** The canonical text form of a UUID, as PostgreSQL writes it: 8-4-4-4-12 hex digits. */
final class Uuids {

    private Uuids() {
    }

    static boolean isCanonical(String s) {
        if (s.length() != 36) {
            return false;
        }
        for (int i = 0; i < 36; i++) {
            char c = s.charAt(i);
            boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            if (dash ? c != '-' : Character.digit(c, 16) < 0) {
                return false;
            }
        }
        return true;
    }
}
