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
}
