package io.pandashop.pipeline.cdc;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Parses the ISO-8601 instants Debezium writes for TIMESTAMPTZ ("2026-11-27T10:00:00.123456Z") without the
 * general-purpose formatter, which is a measurable share of decoding; anything else goes through it.
 */
final class IsoInstants {

    private IsoInstants() {
    }

    static Instant parse(String s) {
        int len = s.length();
        if (len >= 20 && len <= 30 && s.charAt(len - 1) == 'Z' && s.charAt(4) == '-' && s.charAt(7) == '-'
                && s.charAt(10) == 'T' && s.charAt(13) == ':' && s.charAt(16) == ':') {
            try {
                int year = digits(s, 0, 4);
                int month = digits(s, 5, 7);
                int day = digits(s, 8, 10);
                int hour = digits(s, 11, 13);
                int minute = digits(s, 14, 16);
                int second = digits(s, 17, 19);
                int nanos = 0;
                if (len > 20) {
                    if (s.charAt(19) != '.' || len - 21 > 9) {
                        return slow(s);
                    }
                    int fraction = digits(s, 20, len - 1);
                    for (int i = len - 21; i < 9; i++) {
                        fraction *= 10;
                    }
                    nanos = fraction;
                }
                if (hour > 23 || minute > 59 || second > 59) {
                    return slow(s);
                }
                long epochDay = LocalDate.of(year, month, day).toEpochDay();
                return Instant.ofEpochSecond(epochDay * 86_400L + hour * 3_600L + minute * 60L + second, nanos);
            } catch (RuntimeException e) {
                return slow(s);
            }
        }
        return slow(s);
    }

    private static int digits(String s, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new NumberFormatException();
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static Instant slow(String s) {
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            return OffsetDateTime.parse(s).toInstant(); // offsets other than Z
        }
    }
}
