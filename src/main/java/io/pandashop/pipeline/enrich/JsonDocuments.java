package io.pandashop.pipeline.enrich;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One JSON document per item, all written by one generator into one buffer (a generator per document was a visible
 * cost; the buffer, sized for the whole run, rarely regrows): then either cut apart, or kept whole with the documents
 * separated by commas, so that any run of them is already the inside of a JSON array.
 */
public final class JsonDocuments {

    private static final JsonFactory JSON = new JsonFactory();

    /** Writes item {@code index}'s document. */
    @FunctionalInterface
    public interface Writer {
        void write(JsonGenerator g, int index) throws IOException;
    }

    private JsonDocuments() {
    }

    /**
     * Documents written one after another, separated by commas: document i is {@code bytes[start(i), ends[i])}, and
     * documents i..j with the commas between them are {@code bytes[start(i), ends[j])}.
     */
    public record Joined(byte[] bytes, int[] ends) {

        public int start(int i) {
            return i == 0 ? 0 : ends[i - 1] + 1;
        }
    }

    /**
     * The documents of items [from, to), in order, each in an array of its own; {@code bytesEach} is a document's
     * usual size, at least. (A per-thread buffer reused across calls did not stay: the worker threads' locals were
     * found empty again call after call, and one was made each time.)
     */
    public static List<byte[]> write(int from, int to, int bytesEach, Writer writer) {
        Bytes out = new Bytes(bytesEach * (to - from) + 64);
        int[] ends = write(out, from, to, writer, false);
        List<byte[]> documents = new ArrayList<>(ends.length);
        int start = 0;
        for (int end : ends) {
            documents.add(out.copy(start, end));
            start = end;
        }
        return documents;
    }

    /**
     * The documents of items [from, to), in order, kept in one buffer and separated by commas; {@code bytesEach} is
     * a document's usual size, at least.
     */
    public static Joined joined(int from, int to, int bytesEach, Writer writer) {
        Bytes out = new Bytes(bytesEach * (to - from) + 64);
        int[] ends = write(out, from, to, writer, true);
        return new Joined(out.buffer(), ends);
    }

    private static int[] write(Bytes out, int from, int to, Writer writer, boolean commas) {
        int[] ends = new int[to - from];
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.setRootValueSeparator(null);
            for (int i = from; i < to; i++) {
                if (commas && i > from) {
                    g.flush();
                    out.write(',');
                }
                writer.write(g, i);
                g.flush();
                ends[i - from] = out.size();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ends;
    }

    /**
     * Bytes a field writer may format a value into before the generator copies them: the run's own, so nothing
     * is allocated per value (a ThreadLocal was found empty again call after call on the worker threads, and
     * setting it again was a third of the envelopes' CPU in the drain). A generator writing elsewhere gets a new array.
     */
    static byte[] scratch(JsonGenerator g) {
        return g.getOutputTarget() instanceof Bytes b ? b.scratch : new byte[JsonFields.SCRATCH_LENGTH];
    }

    /** A byte stream whose slices are copied out directly, without first copying the whole. */
    private static final class Bytes extends ByteArrayOutputStream {
        final byte[] scratch = new byte[JsonFields.SCRATCH_LENGTH];

        Bytes(int capacity) {
            super(capacity);
        }

        byte[] copy(int from, int to) {
            return Arrays.copyOfRange(buf, from, to);
        }

        /** The buffer itself, not a copy (the stream is not written to again). */
        byte[] buffer() {
            return buf;
        }
    }
}
