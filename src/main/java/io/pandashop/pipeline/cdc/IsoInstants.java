package io.pandashop.pipeline.cdc;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Parses the ISO-8601 instants Debezium writes for TIMESTAMPTZ ("2026-11-27T10:00:00.123456Z") without the
 * general-purpose formatter, which is a measurable share of decoding; anything else goes through it. Formats
 * instants exactly as {@link Instant#toString()} does, also by hand: the JDK's formatter was 3.5 % of the
 * service's CPU in the drain profile, writing two timestamps per change envelope.
 */
public final class IsoInstants {

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

    /** The longest text {@link #formatInto} writes: "yyyy-MM-ddTHH:mm:ss.nnnnnnnnnZ". */
    public static final int MAX_LENGTH = 30;

    /**
     * Writes the text {@link Instant#toString()} gives (seconds always, a fraction of 3, 6 or 9 digits when non-zero)
     * as ASCII into {@code c} (at least {@link #MAX_LENGTH} long) from index 0 and returns its length, without a
     * String (the JSON writers' timestamps were 3 % of the service's allocation); -1, writing nothing, for years
     * outside 1000-9999, which have a sign or a fifth digit: {@link Instant#toString()} then.
     */
    public static int formatInto(Instant t, byte[] c) {
        long seconds = t.getEpochSecond();
        if (seconds < FIRST_FAST_SECOND || seconds >= END_FAST_SECOND) {
            return -1;
        }
        int nanos = t.getNano();
        int fractionDigits = nanos == 0 ? 0 : nanos % 1_000_000 == 0 ? 3 : nanos % 1000 == 0 ? 6 : 9;
        int length = 20 + (fractionDigits == 0 ? 0 : fractionDigits + 1);
        putDateTime(c, seconds);
        if (fractionDigits > 0) {
            c[19] = '.';
            put(c, 20, nanos / POWERS_OF_TEN[9 - fractionDigits], fractionDigits);
        }
        c[length - 1] = 'Z';
        return length;
    }

    private static final long FIRST_FAST_SECOND = LocalDate.of(1000, 1, 1).toEpochDay() * 86_400L;
    private static final long END_FAST_SECOND = LocalDate.of(10000, 1, 1).toEpochDay() * 86_400L;
    private static final int[] POWERS_OF_TEN = {1, 10, 100, 1000, 10_000, 100_000, 1_000_000};

    /**
     * Writes "yyyy-MM-ddTHH:mm:ss" (19 characters) of a UTC second from years 1000-9999 into {@code c} from index 0.
     */
    private static void putDateTime(byte[] c, long epochSecond) {
        LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(epochSecond, 86_400L));
        int secondOfDay = (int) Math.floorMod(epochSecond, 86_400L);
        put(c, 0, date.getYear(), 4);
        c[4] = '-';
        put(c, 5, date.getMonthValue(), 2);
        c[7] = '-';
        put(c, 8, date.getDayOfMonth(), 2);
        c[10] = 'T';
        put(c, 11, secondOfDay / 3600, 2);
        c[13] = ':';
        put(c, 14, secondOfDay / 60 % 60, 2);
        c[16] = ':';
        put(c, 17, secondOfDay % 60, 2);
    }

    /** Writes {@code value} as exactly {@code width} decimal digits at {@code at} (zero-padded, high digits cut). */
    private static void put(byte[] c, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            c[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
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
