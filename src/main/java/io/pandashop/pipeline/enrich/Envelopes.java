package io.pandashop.pipeline.enrich;

import java.util.Arrays;

/**
 * The envelopes of a batch's changes ({@link EnvelopeJson}), kept in the one buffer they were written into,
 * separated by commas: the external system's body for a run of them is that range between brackets (sent from
 * this buffer, not copied), and a single envelope is copied out only where one travels alone (parking, the
 * dead-letter topic). Copying each
 * envelope out of the buffer was about 0.5 KB of the service's allocation per change.
 */
public final class Envelopes {

    private final JsonDocuments.Joined joined;
    private final int from;
    private final int to;

    Envelopes(JsonDocuments.Joined joined, int from, int to) {
        this.joined = joined;
        this.from = from;
        this.to = to;
    }

    public int size() {
        return to - from;
    }

    /** Envelope {@code i}, as a copy of its own. */
    public byte[] get(int i) {
        int at = index(i);
        return Arrays.copyOfRange(joined.bytes(), joined.start(at), joined.ends()[at]);
    }

    /** Envelopes [from, to) of these, sharing the buffer. */
    public Envelopes slice(int fromIndex, int toIndex) {
        if (fromIndex < 0 || toIndex > size() || fromIndex > toIndex) {
            throw new IndexOutOfBoundsException(fromIndex + ".." + toIndex + " of " + size());
        }
        return new Envelopes(joined, from + fromIndex, from + toIndex);
    }

    /**
     * Calls {@code out} with the bytes of all of them, separated by commas: the inside of their JSON array, still in
     * the buffer they were written into (nothing copied; length 0 when there are none).
     */
    public <T> T commaSeparated(ByteRange<T> out) {
        if (size() == 0) {
            return out.of(joined.bytes(), 0, 0);
        }
        int start = joined.start(from);
        return out.of(joined.bytes(), start, joined.ends()[to - 1] - start);
    }

    /** What is made of a range of bytes; the array is shared, not to be written to. */
    @FunctionalInterface
    public interface ByteRange<T> {
        T of(byte[] bytes, int offset, int length);
    }

    private int index(int i) {
        if (i < 0 || i >= size()) {
            throw new IndexOutOfBoundsException(i + " of " + size());
        }
        return from + i;
    }
}
