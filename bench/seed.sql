-- bench/seed.sql: the fixed benchmark data set of tenant `bench` (database bench_t_bench).
--
-- Runs once on a freshly provisioned tenant (after `erp tenant create --slug bench`), in one
-- transaction, through psql. Everything is derived from the row number, so two runs give the
-- same ids and values:
--   8 users (sales reps, role sales_rep, the admin's password hash)
--   10,000 customers (currencies USD/EUR/GBP/CAD/JPY, owner a rep)
--   100,000 opportunities (customer, currency = the customer's, one of the 4 seeded stages,
--       OPEN 70 % / WON 20 % / LOST 10 %, owner a rep or (2 %) none)
--   1,000,000 activities (about 10 per opportunity, Poisson-like; owner and assignee reps,
--       customer = the opportunity's customer)
-- Ids are UUIDv7-shaped (48-bit millisecond timestamp = created_at, version 7, variant 10,
-- then the table number and the row number), so ordering by id is creation order, as the
-- server assumes for "oldest first". All references, uniques and NOT NULL columns of the
-- tenant migrations (migration/src/tenant) hold: FK checks stay on.
--
-- Schema `bench` (not exposed: PostGraphile serves `public` only, the server reads only its
-- tables) keeps what the harness needs: bench.ids(n, id) maps 1..100000 to opportunity ids
-- (pgbench `\set n random(...)` then a lookup), bench.seed_info the seed version.
-- psql variable :seed_version is set by bench/run.

\set ON_ERROR_STOP on
SET synchronous_commit = off;
SET maintenance_work_mem = '256MB';
BEGIN;
SELECT setseed(0.4242) \gset

CREATE SCHEMA bench;

-- UUIDv7-shaped id from a timestamp, a table number (0..4095) and a row number.
CREATE FUNCTION bench.v7(ts timestamptz, tbl int, n bigint) RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT (lpad(to_hex((extract(epoch FROM ts) * 1000)::bigint), 12, '0')
          || '7' || lpad(to_hex(tbl), 3, '0')
          || '8' || lpad(to_hex(n), 15, '0'))::uuid
$$;

-- Rows' creation times (all in the past, before anything the benchmark creates).
CREATE FUNCTION bench.user_ts(k int) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT timestamptz '2024-01-01 00:00:00+00' + k * interval '1 hour' $$;
CREATE FUNCTION bench.customer_ts(n bigint) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT timestamptz '2024-02-01 00:00:00+00' + n * interval '30 minutes' $$;
CREATE FUNCTION bench.opportunity_ts(n bigint) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT timestamptz '2025-01-01 00:00:00+00' + n * interval '3 minutes' $$;

CREATE FUNCTION bench.user_id(k int) RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT bench.v7(bench.user_ts(k), 1, k) $$;
CREATE FUNCTION bench.customer_id(n bigint) RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT bench.v7(bench.customer_ts(n), 2, n) $$;
CREATE FUNCTION bench.opportunity_id(n bigint) RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT bench.v7(bench.opportunity_ts(n), 3, n) $$;
-- The customer of opportunity n, the currency of customer n (currencies the tenant has).
CREATE FUNCTION bench.customer_of(n bigint) RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT 1 + (n * 7919) % 10000 $$;
CREATE FUNCTION bench.currency_of(n bigint) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT (ARRAY['USD','USD','USD','USD','EUR','EUR','GBP','CAD','USD','JPY'])[1 + n % 10]
$$;

CREATE TABLE bench.seed_info (version text NOT NULL, seeded_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE bench.ids (n int PRIMARY KEY, id uuid NOT NULL);

-- Users: 8 sales reps, password = the admin's (they can sign in like the admin).
INSERT INTO user_account (id, email, display_name, phone, password_hash, is_active,
                          last_login_at, created_at, updated_at, version)
SELECT bench.user_id(k), format('rep%s@bench.test', lpad(k::text, 2, '0')),
       (ARRAY['Olivia Hart','Noah Brooks','Mia Patel','Liam Chen','Emma Rossi','Lucas Meyer',
              'Ava Novak','Ethan Silva'])[k],
       format('+1 555 01%s', lpad(k::text, 2, '0')),
       (SELECT password_hash FROM user_account WHERE email = 'admin@bench.test'),
       true, NULL, bench.user_ts(k), bench.user_ts(k), 1
FROM generate_series(1, 8) AS k;
INSERT INTO user_role (user_id, role_id, created_at)
SELECT bench.user_id(k), (SELECT id FROM role WHERE name = 'sales_rep'), bench.user_ts(k)
FROM generate_series(1, 8) AS k;

-- Customers.
INSERT INTO customer (id, name, tax_id, email, phone, billing_address, shipping_address,
                      payment_term_id, currency, credit_limit_minor, owner_id, is_active,
                      version, created_at, updated_at)
SELECT bench.customer_id(n),
       format('%s %s %s', (ARRAY['Acme','Globex','Initech','Umbrella','Stark','Wayne','Hooli',
                                 'Vandelay','Soylent','Tyrell','Cyberdyne','Wonka'])[1 + n % 12],
              (ARRAY['Industries','Trading','Systems','Holdings','Labs','Foods','Logistics'])[1 + n % 7],
              lpad(n::text, 5, '0')),
       CASE WHEN n % 3 = 0 THEN format('TX%s', lpad(n::text, 8, '0')) END,
       format('billing@customer%s.test', lpad(n::text, 5, '0')),
       CASE WHEN n % 2 = 0 THEN format('+1 555 %s', lpad((n % 10000)::text, 4, '0')) END,
       format('%s Main Street, Springfield', n),
       NULL, NULL,
       bench.currency_of(n),
       CASE WHEN n % 4 = 0 THEN (1 + n % 50) * 100000 END,
       bench.user_id(1 + (n % 8)::int),
       true, 1, bench.customer_ts(n), bench.customer_ts(n) + interval '1 day'
FROM generate_series(1, 10000) AS n;

-- Opportunities.
WITH stage AS (SELECT array_agg(id ORDER BY position, id) AS ids FROM pipeline_stage),
o AS (
  SELECT n, random() AS r, random() AS r2, bench.opportunity_ts(n) AS ts
  FROM generate_series(1, 100000) AS n
)
INSERT INTO opportunity (id, title, customer_id, amount_minor, currency, stage_id, owner_id,
                         expected_close_date, status, lost_reason, closed_at, lead_id,
                         version, created_at, updated_at, is_active)
SELECT bench.opportunity_id(n),
       format('%s deal %s', (ARRAY['Renewal','Upsell','New logo','Expansion','Pilot'])[1 + n % 5],
              lpad(n::text, 6, '0')),
       bench.customer_id(bench.customer_of(n)),
       (1000 + floor(r2 * 5000000))::bigint * 100,
       bench.currency_of(bench.customer_of(n)),
       (SELECT ids FROM stage)[1 + floor(r2 * 1000)::int % 4],
       CASE WHEN n % 50 = 0 THEN NULL ELSE bench.user_id(1 + (n * 13 % 8)::int) END,
       (ts + (30 + n % 150) * interval '1 day')::date,
       CASE WHEN r < 0.7 THEN 'OPEN' WHEN r < 0.9 THEN 'WON' ELSE 'LOST' END,
       CASE WHEN r >= 0.9 THEN 'Chose a competitor' END,
       CASE WHEN r >= 0.7 THEN ts + (10 + n % 60) * interval '1 day' END,
       NULL,
       CASE WHEN r >= 0.7 THEN 2 ELSE 1 END,
       ts,
       CASE WHEN r >= 0.7 THEN ts + (10 + n % 60) * interval '1 day' ELSE ts + interval '1 hour' END,
       true
FROM o;

INSERT INTO bench.ids (n, id) SELECT n, bench.opportunity_id(n) FROM generate_series(1, 100000) AS n;

-- Activities: activity m is about opportunity op(m), spread by a multiplicative hash.
WITH a AS (
  SELECT m, 1 + ((m * 2654435761) % 4294967291) % 100000 AS op, random() AS r
  FROM generate_series(1, 1000000) AS m
), b AS (
  SELECT m, op, r, bench.opportunity_ts(op) + (1 + m % 20000) * interval '1 minute' AS ts FROM a
)
INSERT INTO activity (id, kind, subject, notes, due_at, done, done_at, owner_id, assignee_id,
                      lead_id, opportunity_id, customer_id, version, created_at, updated_at)
SELECT bench.v7(ts, 4, m),
       (ARRAY['CALL','MEETING','TASK','NOTE'])[1 + m % 4],
       format('%s #%s', (ARRAY['Call back','Demo','Send proposal','Follow-up note'])[1 + m % 4], m),
       CASE WHEN m % 3 = 0 THEN 'Discussed pricing and next steps.' END,
       CASE WHEN m % 4 <> 3 THEN ts + interval '2 days' END,
       r < 0.6,
       CASE WHEN r < 0.6 THEN ts + interval '1 day' END,
       bench.user_id(1 + (m % 8)::int),
       bench.user_id(1 + (m * 5 % 8)::int),
       NULL,
       bench.opportunity_id(op),
       bench.customer_id(bench.customer_of(op)),
       CASE WHEN r < 0.6 THEN 2 ELSE 1 END,
       ts,
       CASE WHEN r < 0.6 THEN ts + interval '1 day' ELSE ts END
FROM b
ORDER BY b.ts, b.m;  -- id order: the primary key index is appended to, not scattered

INSERT INTO bench.seed_info (version) VALUES (:'seed_version');
COMMIT;

ANALYZE;
