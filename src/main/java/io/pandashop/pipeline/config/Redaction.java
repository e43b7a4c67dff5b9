package io.pandashop.pipeline.config;

import java.util.regex.Pattern;

/**
 * Takes credentials out of text shown to operators (readiness, logs, dead-letter reasons): client errors often
 * quote the URL they failed on, and a URL may carry user:password (REDIS_URL, a ClickHouse or PostgreSQL URL).
 */
public final class Redaction {

    private static final Pattern USER_INFO = Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\\s]+@");

    private Redaction() {
    }

    public static String text(String s) {
        return s == null ? null : USER_INFO.matcher(s).replaceAll("$1***@");
    }
}
