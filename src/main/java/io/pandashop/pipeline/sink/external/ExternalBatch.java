package io.pandashop.pipeline.sink.external;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** A POST body (a JSON array of envelopes) and its Idempotency-Key, the same for the same events on every try. */
record ExternalBatch(int events, byte[] body, String idempotencyKey) {

    static ExternalBatch of(List<byte[]> envelopes) {
        int size = 2 + envelopes.size();
        for (byte[] e : envelopes) {
            size += e.length;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        out.write('[');
        for (int i = 0; i < envelopes.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            out.writeBytes(envelopes.get(i));
        }
        out.write(']');
        byte[] body = out.toByteArray();
        return new ExternalBatch(envelopes.size(), body, sha256(body));
    }

    private static String sha256(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
