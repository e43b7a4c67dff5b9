package io.pandashop.pipeline.sink.redis;

import io.pandashop.pipeline.deadletter.RejectedWrite;

import java.util.List;

/**
 * Tells a change Redis refuses from an outage (README, "Failure policy"). A script call that Redis ran and that
 * failed on the data (a Lua error, WRONGTYPE on a key the change touches) is a refusal: the call is split until the
 * refused change is isolated. Redis being away, loading, busy, read-only, out of memory or refusing our credentials
 * is an outage, waited for.
 */
final class RedisFailures {

    /** Error prefixes that say Redis cannot serve now, whatever the data. */
    private static final List<String> OUTAGES = List.of("LOADING", "BUSY", "READONLY", "MASTERDOWN", "NOAUTH",
            "WRONGPASS", "NOPERM", "OOM", "MISCONF", "CLUSTERDOWN", "TRYAGAIN", "NOSCRIPT", "NOREPLICAS");

    private RedisFailures() {
    }

    static Throwable classify(Throwable e) {
        String message = e.getMessage();
        if (message == null || !message.contains("script")) {
            return e; // no reply from the script: the connection, a timeout, or Redis itself
        }
        for (String outage : OUTAGES) {
            if (message.startsWith(outage)) {
                return e;
            }
        }
        return new RejectedWrite("redis", message);
    }
}
