-- Bulk loads with the incremental store on: a write
-- that its triggers miss never leaves attempt serving stale rows silently. Either the
-- store stays exact, or it is not read (stale: marked by the source's event trigger at the
-- DDL, or its triggers no longer as the switch made them, checked at query time) and
-- attempt computes its rows, and health says which. Each scenario runs in a transaction
-- rolled back at its end, as the table's non-superuser owner where it can be.
-- The slower ones (pg_restore --disable-triggers, event triggers off at a restore, big
-- COPY batches, a logical replication subscriber) are in scripts/reliability/bulk_loads.sh.
\set VERBOSITY terse
\set SHOW_CONTEXT never
SET client_min_messages = warning;
\set results 300
\set questions 5
\set bad 3
\set ECHO none
\i scripts/sql/generate_exam_results.sql
\set ECHO all
CREATE EXTENSION attempt_lock;
CREATE INDEX exam_results_student_idx ON exam_results (attempt_student_uuid(user_id));
SET client_min_messages = error;  -- the backfill's progress NOTICEs carry timings
SELECT attempt_store_enable(100);
SET client_min_messages = warning;

-- The table belongs to an application role, not a superuser.
CREATE ROLE bulk_owner;
ALTER TABLE exam_results OWNER TO bulk_owner;
GRANT SELECT ON attempt TO bulk_owner;
GRANT CREATE ON SCHEMA public TO bulk_owner;

-- bulk_state(): is the store read (usable), is it marked stale, does attempt equal the
-- computed definition (view_mismatches: rows in one and not the other), does the store
-- itself (store_mismatches: what a read of the store would have served), and what the
-- store check of attempt_health() says.
CREATE FUNCTION on_the_fly() RETURNS SETOF attempt LANGUAGE plpgsql AS $$
BEGIN RETURN QUERY EXECUTE attempt_view_query('computed'); END $$;
CREATE FUNCTION stored() RETURNS SETOF attempt LANGUAGE plpgsql AS $$
BEGIN RETURN QUERY EXECUTE attempt_view_query('stored'); END $$;
CREATE FUNCTION view_mismatches() RETURNS bigint LANGUAGE sql AS $$
SELECT (SELECT count(*) FROM (SELECT * FROM attempt EXCEPT ALL SELECT * FROM on_the_fly()) AS a)
     + (SELECT count(*) FROM (SELECT * FROM on_the_fly() EXCEPT ALL SELECT * FROM attempt) AS b)
$$;
CREATE FUNCTION bulk_state(OUT usable bool, OUT marked_stale bool, OUT attempt_rows bigint,
                           OUT view_mismatches bigint, OUT store_mismatches bigint,
                           OUT health text, OUT health_observed text)
LANGUAGE sql AS $$
SELECT attempt_store_usable(),
       (SELECT stale_since IS NOT NULL FROM attempt_store_status()),
       (SELECT count(*) FROM attempt),
       view_mismatches(),
       (SELECT count(*) FROM (SELECT * FROM stored() EXCEPT ALL SELECT * FROM on_the_fly()) AS a)
     + (SELECT count(*) FROM (SELECT * FROM on_the_fly() EXCEPT ALL SELECT * FROM stored()) AS b),
       h.status, h.observed
  FROM attempt_health(freshness_warn => NULL, freshness_fail => NULL) AS h WHERE h."check" = 'store'
$$;
-- The reason health gives, without its timestamp.
CREATE FUNCTION store_detail() RETURNS text LANGUAGE sql AS $$
SELECT regexp_replace(h.detail, ' at [^;]*;', ' at (time);')
  FROM attempt_health() AS h WHERE h."check" = 'store'
$$;
-- Retakes of existing students and new students, as a bulk load brings them.
CREATE FUNCTION load_rows(n int, tag text) RETURNS SETOF exam_results LANGUAGE sql AS $$
SELECT md5(tag || e.g)::uuid, e.user_id, 'bulk'::text, e.created_at + interval '90 days', NULL::timestamptz, e.result_json
  FROM (SELECT row_number() OVER (ORDER BY id) AS g, user_id, created_at, result_json
          FROM exam_results WHERE user_id LIKE 'student-%') AS e
 WHERE e.g <= n
$$;
SELECT * FROM bulk_state();

-- (a) The incident of release 1.2: DISABLE TRIGGER ALL, INSERT, ENABLE TRIGGER ALL.
-- As a superuser: the store is marked stale at the ALTER TABLE and not read; ENABLE
-- TRIGGER ALL gives the triggers back as ENABLE, not ENABLE ALWAYS, so it stays unread
-- until attempt_store_rebuild().
BEGIN;
ALTER TABLE exam_results DISABLE TRIGGER ALL;
INSERT INTO exam_results SELECT * FROM load_rows(40, 'a1');
SELECT * FROM bulk_state();
ALTER TABLE exam_results ENABLE TRIGGER ALL;
SELECT * FROM bulk_state();
SELECT store_detail();
SELECT triggers FROM attempt_store_status();
SELECT attempt_store_rebuild() > 0 AS rebuilt;
SELECT * FROM bulk_state();
ROLLBACK;
-- As the table's owner: the same (the event trigger runs as the owner; marking the store
-- stale needs no right on it). Only a superuser rebuilds it.
BEGIN;
SET LOCAL ROLE bulk_owner;
ALTER TABLE exam_results DISABLE TRIGGER ALL;
INSERT INTO exam_results SELECT * FROM load_rows(40, 'a2');
ALTER TABLE exam_results ENABLE TRIGGER ALL;
SELECT attempt_store_usable() AS usable, view_mismatches();
SELECT attempt_store_rebuild();
ROLLBACK;
BEGIN;
SET LOCAL ROLE bulk_owner;
ALTER TABLE exam_results DISABLE TRIGGER ALL;
INSERT INTO exam_results SELECT * FROM load_rows(40, 'a2');
ALTER TABLE exam_results ENABLE TRIGGER ALL;
RESET ROLE;
SELECT * FROM bulk_state();
SELECT stale_reason FROM attempt_store_status();
ROLLBACK;

-- (b) The owner disables one of the store's triggers by name, or drops one.
BEGIN;
SET LOCAL ROLE bulk_owner;
ALTER TABLE exam_results DISABLE TRIGGER attempt_store_insert;
INSERT INTO exam_results SELECT * FROM load_rows(25, 'b1');
UPDATE exam_results SET updated_at = created_at + interval '1 hour'
 WHERE id IN (SELECT id FROM exam_results WHERE session_id <> 'bulk' ORDER BY id LIMIT 10);
RESET ROLE;
SELECT * FROM bulk_state();
ROLLBACK;
BEGIN;
SET LOCAL ROLE bulk_owner;
DROP TRIGGER attempt_store_delete ON exam_results;
DELETE FROM exam_results WHERE id IN (SELECT id FROM exam_results ORDER BY id LIMIT 30);
RESET ROLE;
SELECT * FROM bulk_state();
SELECT triggers FROM attempt_store_status();
ROLLBACK;
BEGIN;
SET LOCAL ROLE bulk_owner;
DROP TRIGGER attempt_store_truncate ON exam_results;
TRUNCATE exam_results;
RESET ROLE;
SELECT * FROM bulk_state();
ROLLBACK;
-- ... and cannot put a trigger back that calls the store's functions.
BEGIN;
SET LOCAL ROLE bulk_owner;
DROP TRIGGER attempt_store_insert ON exam_results;
CREATE TRIGGER attempt_store_insert AFTER INSERT ON exam_results REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION attempt_store_sync();
ROLLBACK;

-- (c) ENABLE TRIGGER instead of ENABLE ALWAYS: such a trigger does not fire under
-- session_replication_role = replica, so the store is not read from the ALTER TABLE on,
-- before any write is missed.
BEGIN;
SET LOCAL ROLE bulk_owner;
ALTER TABLE exam_results ENABLE TRIGGER attempt_store_insert;
RESET ROLE;
SELECT * FROM bulk_state();
SET LOCAL session_replication_role = replica;
INSERT INTO exam_results SELECT * FROM load_rows(25, 'c');
RESET session_replication_role;
SELECT * FROM bulk_state();
ROLLBACK;

-- (d) session_replication_role = replica (a superuser's setting, which bulk loaders and
-- replication tools use): the store's triggers are ENABLE ALWAYS and keep it exact through
-- COPY, INSERT, UPDATE, DELETE and TRUNCATE; health's lock_triggers check says the
-- session bypasses the lock's event triggers.
BEGIN;
SET LOCAL session_replication_role = replica;
COPY exam_results (id, user_id, session_id, created_at, updated_at, result_json) FROM stdin;
00000000-0000-0000-0000-0000000d0001	student-1	copy	2026-06-01 10:00:00+00	\N	{"questions": [{"question_id": 1004, "is_correct": true}, {"question_id": 1005}]}
00000000-0000-0000-0000-0000000d0002	student-1	copy	2026-06-01 09:00:00+00	\N	{"questions": [{"question_id": 1004, "time_spent_sec": 12.5}]}
00000000-0000-0000-0000-0000000d0003	student-new	copy	2026-06-01 09:00:00+00	\N	{"questions": [{"question_id": 7}]}
\.
INSERT INTO exam_results SELECT * FROM load_rows(40, 'd');
UPDATE exam_results SET created_at = created_at - interval '400 days'
 WHERE id IN (SELECT id FROM exam_results ORDER BY id LIMIT 20);
UPDATE exam_results SET user_id = 'student-2' WHERE id IN (SELECT id FROM exam_results ORDER BY id DESC LIMIT 5);
DELETE FROM exam_results WHERE id IN (SELECT id FROM exam_results ORDER BY id OFFSET 50 LIMIT 20);
SELECT * FROM bulk_state();
SELECT status, observed FROM attempt_health() WHERE "check" = 'lock_triggers';
TRUNCATE exam_results;
SELECT * FROM bulk_state();
ROLLBACK;
-- Under replica the event triggers do not fire either: DISABLE TRIGGER ALL marks nothing,
-- but the disabled triggers keep the store unread; and once they are ENABLE ALWAYS again,
-- they are no longer the rows the switch made (the watermark of their catalog rows), so
-- the store stays unread until rebuilt.
BEGIN;
SET LOCAL session_replication_role = replica;
ALTER TABLE exam_results DISABLE TRIGGER ALL;
INSERT INTO exam_results SELECT * FROM load_rows(40, 'd2');
SELECT * FROM bulk_state();
ALTER TABLE exam_results ENABLE ALWAYS TRIGGER attempt_store_insert, ENABLE ALWAYS TRIGGER attempt_store_update,
    ENABLE ALWAYS TRIGGER attempt_store_delete, ENABLE ALWAYS TRIGGER attempt_store_truncate;
RESET session_replication_role;
SELECT * FROM bulk_state();
SELECT store_detail();
ROLLBACK;
-- The same with the source's event trigger disabled (a superuser's ALTER EVENT TRIGGER).
BEGIN;
ALTER EVENT TRIGGER attempt_lock_watch_source DISABLE;
SET LOCAL ROLE bulk_owner;
ALTER TABLE exam_results DISABLE TRIGGER attempt_store_insert;
INSERT INTO exam_results SELECT * FROM load_rows(40, 'f');
RESET ROLE;
SELECT * FROM bulk_state();
ALTER TABLE exam_results ENABLE ALWAYS TRIGGER attempt_store_insert;
ALTER EVENT TRIGGER attempt_lock_watch_source ENABLE;
SELECT * FROM bulk_state();
SELECT attempt_store_rebuild() > 0 AS rebuilt;
SELECT * FROM bulk_state();
ROLLBACK;

-- A partition or an inheritance child of the source: a write to it, or a loaded table
-- attached to the source, fires none of the source's triggers. The store is not read
-- while the source has one (and is marked stale when it gets one), and the switch refuses
-- a partitioned source (partitioned by id, it has the unique index the store needs).
BEGIN;
SET LOCAL ROLE bulk_owner;
CREATE TABLE exam_results_loaded (LIKE exam_results);
INSERT INTO exam_results_loaded SELECT * FROM load_rows(30, 'i1');
ALTER TABLE exam_results_loaded INHERIT exam_results;
RESET ROLE;
SELECT * FROM bulk_state();
SELECT stale_reason FROM attempt_store_status();
ROLLBACK;
BEGIN;
SET LOCAL ROLE bulk_owner;
CREATE TABLE exam_results_2027 () INHERITS (exam_results);
INSERT INTO exam_results_2027 SELECT * FROM load_rows(30, 'i2');
RESET ROLE;
SELECT * FROM bulk_state();
ROLLBACK;
BEGIN;
CREATE TABLE exam_results_by_id (LIKE exam_results INCLUDING ALL) PARTITION BY HASH (id);
CREATE TABLE exam_results_by_id_0 PARTITION OF exam_results_by_id FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE exam_results_by_id_1 PARTITION OF exam_results_by_id FOR VALUES WITH (MODULUS 2, REMAINDER 1);
INSERT INTO exam_results_by_id SELECT * FROM exam_results;
SELECT attempt_source_attach('exam_results_by_id');
ROLLBACK;
-- Partitioned before it has a partition: refused all the same.
BEGIN;
CREATE TABLE exam_results_by_id (LIKE exam_results INCLUDING ALL) PARTITION BY HASH (id);
SELECT attempt_source_attach('exam_results_by_id');
ROLLBACK;

-- Nothing left behind: the store as the switch made it, exact, read.
SELECT * FROM bulk_state();
SELECT * FROM attempt_store_sync_problems(exact => true);
ALTER TABLE exam_results OWNER TO CURRENT_USER;
REVOKE ALL ON attempt FROM bulk_owner;
REVOKE CREATE ON SCHEMA public FROM bulk_owner;
DROP ROLE bulk_owner;
