package io.pandashop.pipeline.sink.external;

import io.pandashop.pipeline.enrich.Envelopes;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** A POST body (a JSON array of envelopes) and its Idempotency-Key, the same for the same events on every try. */
record ExternalBatch(int events, byte[] body, String idempotencyKey) {

    /** The live path's: the envelopes are already one comma-separated run in their batch's buffer. */
    static ExternalBatch of(Envelopes envelopes) {
        byte[] body = envelopes.jsonArray();
        return new ExternalBatch(envelopes.size(), body, sha256(body));
    }

    /** The parking path's: envelopes read back one record each; the same bytes as the live path's for them. */
    static ExternalBatch of(List<byte[]> envelopes) {
        int size = 1 + envelopes.size();
        for (byte[] e : envelopes) {
            size += e.length;
        }
        byte[] body = new byte[Math.max(2, size)];
        int at = 0;
        body[at++] = '[';
        for (int i = 0; i < envelopes.size(); i++) {
            if (i > 0) {
                body[at++] = ',';
            }
            byte[] e = envelopes.get(i);
            System.arraycopy(e, 0, body, at, e.length);
            at += e.length;
        }
        body[at] = ']';
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
