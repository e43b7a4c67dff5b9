package io.pandashop.pipeline.sink.clickhouse;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Builds a deterministic insert_deduplication_token from the source positions of a batch. */
final class BatchToken {

    private final MessageDigest digest;
    private final ByteBuffer buffer = ByteBuffer.allocate(17);

    BatchToken(String kind) {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        digest.update(kind.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    void add(long key, long version, boolean deleted) {
        buffer.clear();
        buffer.putLong(key).putLong(version).put((byte) (deleted ? 1 : 0));
        digest.update(buffer.array());
    }

    void add(String key, long version, boolean deleted) {
        digest.update(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        add(0L, version, deleted);
    }

    String value() {
        return HexFormat.of().formatHex(digest.digest());
    }
}
