package io.pandashop.pipeline.sink.external;

/**
 * The external system answered that it will not take the batch (a 4xx other than 408 and 429): retrying the same
 * request cannot help, so its events go to the dead-letter topic instead of blocking redelivery.
 */
public class ExternalRejection extends RuntimeException {

    public ExternalRejection(int status, String reason) {
        super("external system rejected the batch: HTTP " + status + (reason == null ? "" : " " + reason),
                null, false, false);
    }

    static boolean isRejection(int status) {
        return status >= 400 && status < 500 && status != 408 && status != 429;
    }
}
