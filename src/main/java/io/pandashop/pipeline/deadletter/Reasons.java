package io.pandashop.pipeline.deadletter;

import io.pandashop.pipeline.config.Redaction;

/**
 * Dead-letter reasons and log details are capped (a reason that embeds a huge bad value must not grow a record) and
 * carry no credentials.
 */
public final class Reasons {

    /** About 1 KB: enough for any error message, far below any record limit. */
    public static final int MAX_CHARS = 1024;

    private Reasons() {
    }

    public static String cap(String text) {
        if (text == null) {
            return "";
        }
        String reason = Redaction.text(text);
        return reason.length() <= MAX_CHARS ? reason : reason.substring(0, MAX_CHARS - 3) + "...";
    }
}
