package io.pandashop.pipeline.fanout;

import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AsyncPermitsTest {

    @Test
    void waitersGetPermitsInOrderAsTheyAreReleased() {
        AsyncPermits permits = new AsyncPermits(2);
        var first = permits.acquire().subscribe().withSubscriber(UniAssertSubscriber.create());
        var second = permits.acquire().subscribe().withSubscriber(UniAssertSubscriber.create());
        var third = permits.acquire().subscribe().withSubscriber(UniAssertSubscriber.create());
        var fourth = permits.acquire().subscribe().withSubscriber(UniAssertSubscriber.create());
        first.assertCompleted();
        second.assertCompleted();
        third.assertNotTerminated();
        fourth.assertNotTerminated();
        assertEquals(2, permits.inUse());

        permits.release();
        third.assertCompleted();
        fourth.assertNotTerminated();
        assertEquals(2, permits.inUse(), "the released permit went straight to the waiter");

        permits.release();
        permits.release();
        fourth.assertCompleted();
        assertEquals(1, permits.inUse());
    }

    @Test
    void bytesBoundTheBatchesInFlightTooButALargeBatchStillGoesAlone() {
        AsyncPermits permits = new AsyncPermits(4, 100);
        var first = permits.acquire(60).subscribe().withSubscriber(UniAssertSubscriber.create());
        var second = permits.acquire(60).subscribe().withSubscriber(UniAssertSubscriber.create());
        var huge = permits.acquire(500).subscribe().withSubscriber(UniAssertSubscriber.create());
        first.assertCompleted();
        second.assertNotTerminated();
        huge.assertNotTerminated();
        assertEquals(60, permits.bytesInUse());

        permits.release(60);
        second.assertCompleted();
        huge.assertNotTerminated();
        permits.release(60);
        huge.assertCompleted(); // larger than the whole budget: it goes once nothing else is in flight
        assertEquals(500, permits.bytesInUse());
        var after = permits.acquire(1).subscribe().withSubscriber(UniAssertSubscriber.create());
        after.assertNotTerminated();
        permits.release(500);
        after.assertCompleted();
        assertEquals(1, permits.inUse());
    }
}
