package io.pandashop.pipeline.health;

import io.pandashop.pipeline.config.Redaction;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the pipeline last saw of each dependency it writes to or reads from: the ones failing right now, with
 * their last error. Readiness shows them; the log gets one line when a dependency fails and one when it is back.
 */
@ApplicationScoped
public class DependencyStatus {

    private static final Logger LOG = Logger.getLogger(DependencyStatus.class);

    /** A failing dependency: its last error, and whether the pipeline waits for it (it then is not ready). */
    /** The last error of a dependency that is failing, since when, and how many attempts failed since then. */
    public record Failure(String error, boolean blocking, long sinceMillis, long attempts) {
    }

    private final Map<String, Failure> failing = new ConcurrentHashMap<>();
    private volatile boolean stopping;

    /** While the service stops, its clients close under retries in flight: that is no outage to report. */
    void stopping(@Observes @Priority(1) ShutdownEvent event) {
        stopping = true;
    }

    public void failed(String dependency, Throwable error, boolean blocking) {
        String reason = describe(error);
        AtomicBoolean first = new AtomicBoolean();
        failing.compute(dependency, (name, old) -> {
            first.set(old == null);
            return old == null ? new Failure(reason, blocking, System.currentTimeMillis(), 1)
                    : new Failure(reason, blocking, old.sinceMillis(), old.attempts() + 1);
        });
        if (first.get() && !stopping) {
            LOG.warnf("%s is unavailable (%s); %s", dependency, reason,
                    blocking ? "retrying with backoff until it is back, consumption waits meanwhile"
                            : "retrying with backoff until it is back");
        }
    }

    public void ok(String dependency) {
        Failure before = failing.remove(dependency);
        if (before != null) {
            LOG.infof("%s is back after %d s", dependency, (System.currentTimeMillis() - before.sinceMillis()) / 1000);
        }
    }

    public Map<String, Failure> failing() {
        return new TreeMap<>(failing);
    }

    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root && root.getMessage() == null) {
            root = root.getCause();
        }
        String message = Redaction.text(root.getMessage());
        return root.getClass().getSimpleName() + (message == null ? "" : ": " + firstLine(message));
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
