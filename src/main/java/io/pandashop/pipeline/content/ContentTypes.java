package io.pandashop.pipeline.content;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The content types the source database allows: the CHECK constraint on {@code content.content_type} is the one
 * place that lists them (deploy/local/sql/source-schema.sql; the generators read it the same way). A database without
 * such a constraint allows any type, and so does this.
 */
@ApplicationScoped
public class ContentTypes {

    private static final Logger LOG = Logger.getLogger(ContentTypes.class);

    /** The quoted literals of every CHECK on content that mentions content_type, in their order. */
    public static final String QUERY = """
            SELECT x.m[1] AS type
            FROM pg_constraint c,
                 regexp_matches(pg_get_constraintdef(c.oid), '''([^'']+)''', 'g') WITH ORDINALITY AS x(m, n)
            WHERE c.conrelid = 'content'::regclass AND c.contype = 'c'
              AND pg_get_constraintdef(c.oid) LIKE '%content_type%'
            ORDER BY c.oid, x.n""";

    private final Pool pool;

    public ContentTypes(Pool pool) {
        this.pool = pool;
    }

    /** The allowed types, or empty when the database restricts none (or cannot be asked now). */
    public Uni<Optional<List<String>>> allowed() {
        return pool.query(QUERY).execute().ifNoItem().after(Duration.ofSeconds(5)).fail()
                .map(rows -> {
                    List<String> types = new ArrayList<>();
                    for (Row row : rows) {
                        types.add(row.getString("type"));
                    }
                    return types.isEmpty() ? Optional.<List<String>>empty() : Optional.of(List.copyOf(types));
                })
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("the allowed content types could not be read from PostgreSQL (%s); not checking them",
                            e.getMessage());
                    return Optional.empty();
                });
    }

    /** Fails with IllegalArgumentException when {@code type} is not null and the database does not allow it. */
    public Uni<Void> require(String type) {
        if (type == null) {
            return Uni.createFrom().voidItem();
        }
        return allowed().flatMap(types -> types.isPresent() && !types.get().contains(type)
                ? Uni.createFrom().failure(new IllegalArgumentException("'content_type' must be one of " + types.get()))
                : Uni.createFrom().voidItem());
    }
}
