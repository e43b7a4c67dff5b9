package io.pandashop.pipeline.cdc;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Repeated labels come back as the same String; every value, repeated or not, reads as its own characters. */
class RepeatedTextsTest {

    @Test
    void aRepeatedValueIsTheSameStringAndEveryValueReadsRight() {
        RepeatedTexts texts = new RepeatedTexts();
        char[] buffer = "xxplaytvpauseyy".toCharArray();
        String play = texts.of(buffer, 2, 4);
        assertEquals("play", play);
        assertSame(play, texts.of("play".toCharArray(), 0, 4), "found again from other characters");
        assertEquals("tv", texts.of(buffer, 6, 2));
        assertEquals("pause", texts.of(buffer, 8, 5));
        assertEquals("", texts.of(buffer, 0, 0));
        // Thousands of distinct values (colliding in the fixed table) still read as themselves.
        for (int i = 0; i < 5_000; i++) {
            String v = "device-" + i;
            assertEquals(v, texts.of(v.toCharArray(), 0, v.length()));
        }
        String long1 = "a".repeat(40);
        String first = texts.of(long1.toCharArray(), 0, 40);
        assertEquals(long1, first);
        assertNotSame(first, texts.of(long1.toCharArray(), 0, 40), "long values are not kept");
    }
}
