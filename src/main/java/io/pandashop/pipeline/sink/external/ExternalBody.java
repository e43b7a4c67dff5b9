package io.pandashop.pipeline.sink.external;

import io.netty.buffer.Unpooled;
import io.smallrye.mutiny.Multi;
import io.vertx.mutiny.core.buffer.Buffer;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A POST body, a JSON array of envelopes: '[', the envelopes' comma-separated bytes where they were written, ']'.
 * It is sent as buffers that wrap those bytes: given a byte[], the REST client copied it into a buffer that grew
 * to the next power of two and then copied that again, about 2.4 KB of the service's allocation per change
 * (bench/README.md, "Allocation by stage").
 */
final class ExternalBody {

    private static final byte[] OPEN = {'['};
    private static final byte[] CLOSE = {']'};

    private final byte[] bytes;
    private final int offset;
    private final int length;

    /** @param bytes shared, not copied: not to be written to while the body is in use */
    ExternalBody(byte[] bytes, int offset, int length) {
        this.bytes = bytes;
        this.offset = offset;
        this.length = length;
    }

    /** The body's length in bytes (its Content-Length). */
    long contentLength() {
        return length + 2L;
    }

    /** Hex SHA-256 of the body's bytes: the same for the same events on every try and on either path. */
    String sha256() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(OPEN);
            digest.update(bytes, offset, length);
            digest.update(CLOSE);
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The body as buffers, new ones for every subscription: a retry sends it again, and a wrapped buffer's read
     * position moves as it is written out.
     */
    Multi<Buffer> buffers() {
        return Multi.createFrom().deferred(() -> Multi.createFrom().items(
                wrap(OPEN, 0, 1), wrap(bytes, offset, length), wrap(CLOSE, 0, 1)));
    }

    private static Buffer wrap(byte[] bytes, int offset, int length) {
        return Buffer.newInstance(io.vertx.core.buffer.Buffer.buffer(Unpooled.wrappedBuffer(bytes, offset, length)));
    }
}
