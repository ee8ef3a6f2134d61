-- bench/ledger/seed.sql: 500,000 posted journal entries with 1,000,000 lines over two fiscal
-- years (2025 and 2026), on the posting accounts of the seeded chart, written as the ledger
-- service writes them: drafts, their lines, then the UPDATE that posts them, so the database's
-- balance triggers check every entry at commit. Deterministic (amounts and accounts follow the
-- row number).
\set ON_ERROR_STOP on
BEGIN;
CREATE TEMP TABLE acc AS
  SELECT id, (row_number() OVER (ORDER BY code)) - 1 AS n FROM account WHERE NOT is_group;
CREATE TEMP TABLE bench_entry AS
  SELECT g, gen_random_uuid() AS id, (date '2025-01-01' + (g % 730)) AS entry_date,
         100 + (g * 37) % 250000 AS amount
  FROM generate_series(1, 500000) AS g;
INSERT INTO journal_entry (id, journal_id, entry_date, status, reference, total_minor, version,
                           created_at, updated_at)
  SELECT e.id, (SELECT id FROM journal WHERE code = 'GEN'), e.entry_date, 'DRAFT',
         'bench ' || e.g, e.amount, 1, now(), now()
  FROM bench_entry e;
INSERT INTO journal_line (id, entry_id, entry_date, line_no, account_id, debit_minor, credit_minor, label)
  SELECT gen_random_uuid(), e.id, e.entry_date, 1, d.id, e.amount, 0, 'debit ' || e.g
  FROM bench_entry e JOIN acc d ON d.n = e.g % (SELECT count(*) FROM acc)
  UNION ALL
  SELECT gen_random_uuid(), e.id, e.entry_date, 2, c.id, 0, e.amount, 'credit ' || e.g
  FROM bench_entry e JOIN acc c ON c.n = (e.g * 7 + 3) % (SELECT count(*) FROM acc);
-- Posting: numbered per fiscal year in date order, as the counter would have numbered them.
UPDATE journal_entry j SET status = 'POSTED', fiscal_year = n.year, posted_at = now(),
       number = 'JE-' || n.year || '-' || lpad(n.seq::text, 6, '0'), version = 2
  FROM (SELECT id, extract(year FROM entry_date)::int AS year,
               row_number() OVER (PARTITION BY extract(year FROM entry_date) ORDER BY entry_date, id) AS seq
        FROM bench_entry) n
  WHERE j.id = n.id;
INSERT INTO number_counter (series, fiscal_year, last_number)
  SELECT 'JE', fiscal_year, count(*) FROM journal_entry WHERE status = 'POSTED' GROUP BY fiscal_year
  ON CONFLICT (series, fiscal_year) DO UPDATE SET last_number = EXCLUDED.last_number;
COMMIT;
-- Posting rewrote every entry: what autovacuum would soon do on a live system, done now, so
-- the first measurements do not wade through 500,000 dead draft versions.
VACUUM ANALYZE journal_entry;
VACUUM ANALYZE journal_line;
-- The seed wrote about 500 MB of WAL: flush it now rather than during the measurements.
CHECKPOINT;
