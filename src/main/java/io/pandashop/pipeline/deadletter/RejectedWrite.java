package io.pandashop.pipeline.deadletter;

/**
 * A destination refused the content of a write (a type or range error, 400, 413, 422, a script error): the
 * destination is up, and retrying the same write unchanged cannot help. The writer isolates the refused records
 * ({@link RejectionIsolation}) and parks only those. Everything else that fails a write is an outage and is waited
 * out.
 */
public class RejectedWrite extends RuntimeException {

    private final String answer;

    /** @param answer what the destination said, kept short (it becomes a dead-letter reason) */
    public RejectedWrite(String destination, String answer) {
        super(destination + " refused the write: " + Reasons.cap(answer), null, false, false);
        this.answer = Reasons.cap(answer);
    }

    /** The destination's answer, capped. */
    public String answer() {
        return answer;
    }
}
