-- bench/seed_w5.sql: the small data set of each W5 tenant (bench5-000 … bench5-099).
--
-- Runs once per tenant database, after `erp tenant create`: 2 customers and 5 opportunities
-- owned by the tenant's admin, ids UUIDv7-shaped like bench/seed.sql (table number 3 for
-- opportunities) and bench.ids(n, id) for the W5 request scripts and pgbench.
-- psql variable :seed_version is set by bench/run.

\set ON_ERROR_STOP on
SET synchronous_commit = off;
BEGIN;
CREATE SCHEMA bench;
CREATE TABLE bench.seed_info (version text NOT NULL, seeded_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE bench.ids (n int PRIMARY KEY, id uuid NOT NULL);

CREATE FUNCTION pg_temp.v7(ts timestamptz, tbl int, n bigint) RETURNS uuid
LANGUAGE sql IMMUTABLE AS $$
  SELECT (lpad(to_hex((extract(epoch FROM ts) * 1000)::bigint), 12, '0')
          || '7' || lpad(to_hex(tbl), 3, '0')
          || '8' || lpad(to_hex(n), 15, '0'))::uuid
$$;

INSERT INTO customer (id, name, tax_id, email, phone, billing_address, shipping_address,
                      payment_term_id, currency, credit_limit_minor, owner_id, is_active,
                      version, created_at, updated_at)
SELECT pg_temp.v7(timestamptz '2024-02-01 00:00:00+00' + n * interval '1 day', 2, n),
       format('W5 Customer %s', n), NULL, format('w5-%s@customer.test', n), NULL, NULL, NULL,
       NULL, 'USD', NULL, (SELECT id FROM user_account ORDER BY created_at, id LIMIT 1),
       true, 1, timestamptz '2024-02-01 00:00:00+00' + n * interval '1 day',
       timestamptz '2024-02-01 00:00:00+00' + n * interval '1 day'
FROM generate_series(1, 2) AS n;

INSERT INTO opportunity (id, title, customer_id, amount_minor, currency, stage_id, owner_id,
                         expected_close_date, status, lost_reason, closed_at, lead_id,
                         version, created_at, updated_at, is_active)
SELECT pg_temp.v7(timestamptz '2025-01-01 00:00:00+00' + n * interval '1 day', 3, n),
       format('W5 deal %s', n),
       pg_temp.v7(timestamptz '2024-02-01 00:00:00+00' + (1 + n % 2) * interval '1 day', 2, 1 + n % 2),
       n * 100000, 'USD',
       (SELECT id FROM pipeline_stage ORDER BY position, id LIMIT 1),
       (SELECT id FROM user_account ORDER BY created_at, id LIMIT 1),
       date '2025-06-30', 'OPEN', NULL, NULL, NULL, 1,
       timestamptz '2025-01-01 00:00:00+00' + n * interval '1 day',
       timestamptz '2025-01-01 00:00:00+00' + n * interval '1 day', true
FROM generate_series(1, 5) AS n;

INSERT INTO bench.ids (n, id)
SELECT n, pg_temp.v7(timestamptz '2025-01-01 00:00:00+00' + n * interval '1 day', 3, n)
FROM generate_series(1, 5) AS n;

INSERT INTO bench.seed_info (version) VALUES (:'seed_version');
COMMIT;
ANALYZE;
