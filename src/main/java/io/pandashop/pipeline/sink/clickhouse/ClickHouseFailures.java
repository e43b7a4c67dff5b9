package io.pandashop.pipeline.sink.clickhouse;

import com.clickhouse.client.api.ServerException;
import io.pandashop.pipeline.deadletter.RejectedWrite;
import io.pandashop.pipeline.sink.clickhouse.RowsInserter.ClickHouseWriteException;

import java.sql.SQLException;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tells a refused insert from an outage by ClickHouse's error code (README, "Failure policy"): the code clickhouse-jdbc
 * puts in {@link SQLException#getErrorCode()} (from the client's {@link ServerException}), else the {@code Code: N}
 * of the server's message anywhere in the cause chain. Refusals are the
 * codes about the data itself: parsing, types, ranges, constraints, and too many partitions for one insert. Every
 * other code (overload: too many parts, memory limit, timeouts; authentication; a missing table) and every
 * connection failure is an outage: waited for, never parked.
 */
final class ClickHouseFailures {

    /** Error codes (ClickHouse src/Common/ErrorCodes.cpp) that refuse the rows, not the request. */
    private static final Set<Integer> REFUSING_THE_DATA = Set.of(
            6,   // CANNOT_PARSE_TEXT
            26,  // CANNOT_PARSE_QUOTED_STRING
            27,  // CANNOT_PARSE_INPUT_ASSERTION_FAILED
            33,  // CANNOT_READ_ALL_DATA (a RowBinary row it cannot read)
            38,  // CANNOT_PARSE_DATE
            41,  // CANNOT_PARSE_DATETIME
            53,  // TYPE_MISMATCH
            69,  // ARGUMENT_OUT_OF_BOUND
            70,  // CANNOT_CONVERT_TYPE
            72,  // CANNOT_PARSE_NUMBER
            117, // INCORRECT_DATA
            131, // TOO_LARGE_STRING_SIZE
            321, // VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE
            349, // CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN
            395, // FUNCTION_THROW_IF_VALUE_IS_NON_ZERO
            469  // VIOLATED_CONSTRAINT
    );
    /** TOO_MANY_PARTS: an overload (wait), except this message of it, which is about the insert's own rows. */
    private static final int TOO_MANY_PARTS = 252;
    private static final String TOO_MANY_PARTITIONS = "Too many partitions for single INSERT block";
    private static final Pattern CODE = Pattern.compile("Code: (\\d+)");

    private ClickHouseFailures() {
    }

    /** The exception an insert into {@code table} fails with: a {@link RejectedWrite} or an outage. */
    static RuntimeException of(String table, Throwable cause) {
        String message = messages(cause);
        if (refusesTheData(cause, message)) {
            return new RejectedWrite("clickhouse", "insert into " + table + ": " + firstLine(message));
        }
        return new ClickHouseWriteException(table, cause);
    }

    private static boolean refusesTheData(Throwable cause, String message) {
        int code = code(cause, message);
        if (code > 0) {
            return REFUSING_THE_DATA.contains(code) || (code == TOO_MANY_PARTS && message.contains(TOO_MANY_PARTITIONS));
        }
        // No server answer: a value our encoder cannot write is refused here; everything else is a connection issue.
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IllegalArgumentException || t instanceof ArithmeticException
                    || t instanceof ClassCastException) {
                return true;
            }
        }
        return false;
    }

    /** ClickHouse's error code for this failure, 0 when ClickHouse did not answer with one. */
    static int code(Throwable cause, String message) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException e && e.getErrorCode() > 0) {
                return e.getErrorCode();
            }
            if (t instanceof ServerException e && e.getCode() > 0) {
                return e.getCode();
            }
        }
        Matcher m = CODE.matcher(message);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    private static String messages(Throwable cause) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = cause; t != null && all.length() < 4096; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null) {
                all.append(t.getMessage()).append('\n');
            }
        }
        return all.toString();
    }

    private static String firstLine(String message) {
        int start = message.indexOf("Code: ");
        String from = start < 0 ? message : message.substring(start);
        int nl = from.indexOf('\n');
        return nl < 0 ? from : from.substring(0, nl);
    }
}
