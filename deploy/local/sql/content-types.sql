-- The content types the source database allows, one per line: the quoted literals of the CHECK on
-- content.content_type (source-schema.sql), the one place that lists them. The generators read them with this
-- query; the service runs the same query (io.pandashop.pipeline.content.ContentTypes).
SELECT x.m[1] AS type
FROM pg_constraint c,
     regexp_matches(pg_get_constraintdef(c.oid), '''([^'']+)''', 'g') WITH ORDINALITY AS x(m, n)
WHERE c.conrelid = 'content'::regclass AND c.contype = 'c'
  AND pg_get_constraintdef(c.oid) LIKE '%content_type%'
ORDER BY c.oid, x.n;
