package io.pandashop.pipeline.deadletter;

/** Dead-letter reasons and log details are capped: a reason that embeds a huge bad value must not grow a record. */
public final class Reasons {

    /** About 1 KB: enough for any error message, far below any record limit. */
    public static final int MAX_CHARS = 1024;

    private Reasons() {
    }

    public static String cap(String reason) {
        if (reason == null) {
            return "";
        }
        return reason.length() <= MAX_CHARS ? reason : reason.substring(0, MAX_CHARS - 3) + "...";
    }
}
