package io.pandashop.pipeline.deadletter;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Splitting a refused write isolates exactly the refused records, writes all the others, and costs about k·log n. */
class RejectionIsolationTest {

    /** A destination that refuses any write containing one of {@code refused}, and records what it took. */
    private static final class Destination {
        final Set<Integer> refused;
        final List<int[]> writes = new ArrayList<>();
        final Set<Integer> taken = new TreeSet<>();

        Destination(Set<Integer> refused) {
            this.refused = refused;
        }

        Uni<Void> write(int from, int to) {
            writes.add(new int[] {from, to});
            for (int i = from; i < to; i++) {
                if (refused.contains(i)) {
                    return Uni.createFrom().failure(new RejectedWrite("test", "refuses " + i));
                }
            }
            for (int i = from; i < to; i++) {
                taken.add(i);
            }
            return Uni.createFrom().voidItem();
        }
    }

    @Test
    void onlyTheRefusedRecordsAreParked() {
        Destination d = new Destination(Set.of(3, 700, 701, 4095));
        Set<Integer> parked = new TreeSet<>();
        RejectionIsolation.write(0, 4096, d::write, (i, refusal) -> {
            assertTrue(refusal.answer().contains("refuses " + i));
            parked.add(i);
            return Uni.createFrom().voidItem();
        }).await().indefinitely();
        assertEquals(Set.of(3, 700, 701, 4095), parked);
        assertEquals(4096 - 4, d.taken.size(), "every other record written");
        assertTrue(d.writes.size() <= 1 + 4 * 2 * 12, "about k·log2(n) writes, not n: " + d.writes.size());
    }

    @Test
    void aWriteNobodyRefusesIsOneWrite() {
        Destination d = new Destination(Set.of());
        RejectionIsolation.write(0, 2000, d::write, (i, refusal) -> Uni.createFrom().voidItem())
                .await().indefinitely();
        assertEquals(1, d.writes.size());
        assertEquals(2000, d.taken.size());
    }

    @Test
    void anOutageIsNotSplitButFailsThrough() {
        List<int[]> writes = new ArrayList<>();
        RejectionIsolation.write(0, 10, (from, to) -> {
            writes.add(new int[] {from, to});
            return Uni.createFrom().failure(new IllegalStateException("connection refused"));
        }, (i, refusal) -> Uni.createFrom().voidItem())
                .subscribe().withSubscriber(UniAssertSubscriber.create())
                .assertFailedWith(IllegalStateException.class, "connection refused");
        assertEquals(1, writes.size(), "an outage is the caller's to wait out, not split");
    }
}
