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
 * One JSON document per item, all written by one generator into one buffer and then cut apart: a generator per
 * document was a visible cost, and the buffer, sized for the whole run, never regrows.
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

    /** The documents of items [from, to), in order; {@code bytesEach} is a document's usual size, at least. */
    public static List<byte[]> write(int from, int to, int bytesEach, Writer writer) {
        Bytes out = new Bytes(bytesEach * (to - from) + 64);
        int[] ends = new int[to - from];
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.setRootValueSeparator(null);
            for (int i = from; i < to; i++) {
                writer.write(g, i);
                g.flush();
                ends[i - from] = out.size();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<byte[]> documents = new ArrayList<>(ends.length);
        int start = 0;
        for (int end : ends) {
            documents.add(out.copy(start, end));
            start = end;
        }
        return documents;
    }

    /** A byte stream whose slices are copied out directly, without first copying the whole. */
    private static final class Bytes extends ByteArrayOutputStream {
        Bytes(int capacity) {
            super(capacity);
        }

        byte[] copy(int from, int to) {
            return Arrays.copyOfRange(buf, from, to);
        }
    }
}
