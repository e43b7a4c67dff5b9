package io.pandashop.pipeline.enrich;

import java.util.Arrays;

/**
 * The envelopes of a batch's changes ({@link EnvelopeJson}), kept in the one buffer they were written into,
 * separated by commas: the external system's body for a run of them is that range between brackets (one copy), and
 * a single envelope is copied out only where one travels alone (parking, the dead-letter topic). Copying each
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

    /** All of them as one JSON array, {@code [e0,e1,...]}, in a new array of exactly its length. */
    public byte[] jsonArray() {
        if (size() == 0) {
            return new byte[] {'[', ']'};
        }
        int start = joined.start(from);
        int end = joined.ends()[to - 1];
        byte[] array = new byte[end - start + 2];
        array[0] = '[';
        System.arraycopy(joined.bytes(), start, array, 1, end - start);
        array[array.length - 1] = ']';
        return array;
    }

    private int index(int i) {
        if (i < 0 || i >= size()) {
            throw new IndexOutOfBoundsException(i + " of " + size());
        }
        return from + i;
    }
}
