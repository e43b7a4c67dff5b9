package io.pandashop.pipeline.cdc;

/** A record that is not a usable Debezium change event; its message is the reason shown to operators. */
public class MalformedChangeException extends RuntimeException {
    public MalformedChangeException(String reason) {
        super(reason, null, false, false);
    }

    public MalformedChangeException(String reason, Throwable cause) {
        super(reason, cause, false, false);
    }
}
