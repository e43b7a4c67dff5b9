package io.pandashop.pipeline.sink.external;

import io.pandashop.pipeline.deadletter.RejectedWrite;

/**
 * The external system refused the batch's content: 400, 413 or 422. Retrying the same request cannot help, so the
 * batch is split until the refused events are isolated (a 413 halves it, as any refusal does), and only those go to
 * the dead-letter topic. Every other answer, 401, 403 and 404 included, is an outage: a rotated token or a
 * receiver being redeployed must not lose events.
 */
public class ExternalRejection extends RejectedWrite {

    public ExternalRejection(int status, String reason) {
        super("external system", "HTTP " + status + (reason == null ? "" : " " + reason));
    }

    static boolean isRejection(int status) {
        return status == 400 || status == 413 || status == 422;
    }
}
