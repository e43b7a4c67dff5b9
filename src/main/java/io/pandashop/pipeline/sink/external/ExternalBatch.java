package io.pandashop.pipeline.sink.external;

import io.pandashop.pipeline.enrich.Envelopes;

import java.util.List;

/** A POST body (a JSON array of envelopes) and its Idempotency-Key, the same for the same events on every try. */
record ExternalBatch(int events, ExternalBody body, String idempotencyKey) {

    /** The live path's: the envelopes are already one comma-separated run in their batch's buffer, sent from there. */
    static ExternalBatch of(Envelopes envelopes) {
        return of(envelopes.size(), envelopes.commaSeparated(ExternalBody::new));
    }

    /** The parking path's: envelopes read back one record each; the same bytes as the live path's for them. */
    static ExternalBatch of(List<byte[]> envelopes) {
        int size = Math.max(0, envelopes.size() - 1);
        for (byte[] e : envelopes) {
            size += e.length;
        }
        byte[] inside = new byte[size];
        int at = 0;
        for (int i = 0; i < envelopes.size(); i++) {
            if (i > 0) {
                inside[at++] = ',';
            }
            byte[] e = envelopes.get(i);
            System.arraycopy(e, 0, inside, at, e.length);
            at += e.length;
        }
        return of(envelopes.size(), new ExternalBody(inside, 0, inside.length));
    }

    private static ExternalBatch of(int events, ExternalBody body) {
        return new ExternalBatch(events, body, body.sha256());
    }
}
