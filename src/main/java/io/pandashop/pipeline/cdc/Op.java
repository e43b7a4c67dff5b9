package io.pandashop.pipeline.cdc;

/** Debezium's change operations. */
public enum Op {
    CREATE, READ, UPDATE, DELETE;

    static Op fromCode(String code) {
        return switch (code) {
            case "c" -> CREATE;
            case "r" -> READ;
            case "u" -> UPDATE;
            case "d" -> DELETE;
            default -> throw new MalformedChangeException("unknown op '" + code + "'");
        };
    }

    public String code() {
        return switch (this) {
            case CREATE -> "c";
            case READ -> "r";
            case UPDATE -> "u";
            case DELETE -> "d";
        };
    }
}
