-- bench/pgbench/w1.sql: the floor of W1 in pgbench: the statement our server runs per W1
-- request (`opportunity(id:)` with amount), as pg_stat_statements shows it (our server keeps
-- sessions, grants and currencies in memory). Before it a lookup picks a random seeded
-- opportunity (bench.ids, 1..:maxn), so pgbench runs 2 statements per transaction where the
-- server runs 1. bench/run checks that pgbench and our server run the same statements and
-- says so under the results table; when our server's W1 SQL changes, change this to match.
-- Variables from bench/lib/harness.py (-D): maxn (ids in bench.ids), one=1 (the server binds
-- the LIMIT as a parameter too).
\set n random(1, :maxn)
SELECT id AS oid FROM bench.ids WHERE n = :n \gset
SELECT "opportunity"."id", "opportunity"."title", "opportunity"."customer_id", "opportunity"."amount_minor", "opportunity"."currency", "opportunity"."stage_id", "opportunity"."owner_id", "opportunity"."expected_close_date", "opportunity"."status", "opportunity"."lost_reason", "opportunity"."closed_at", "opportunity"."lead_id", "opportunity"."is_active", "opportunity"."version", "opportunity"."created_at", "opportunity"."updated_at" FROM "opportunity" WHERE "opportunity"."id" = :oid LIMIT :one;
