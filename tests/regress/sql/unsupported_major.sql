-- majors: 14
-- PostgreSQL 14 has no security_invoker views, so the attempt view would read exam_results
-- with its owner's privileges: every released version refuses to install there, with
-- 0A000 and a HINT, before it creates anything, and leaves nothing behind.
\set VERBOSITY default
-- the refusal may come from inside the source choice: its CONTEXT is not the point
\set SHOW_CONTEXT never
\i tests/regress/fixtures/exam_results.sql

-- The default version: the refusal, and it comes before the source check, so it is the
-- same without a source table.
CREATE EXTENSION attempt_lock;
BEGIN;
DROP TABLE exam_results;
CREATE EXTENSION attempt_lock;
ROLLBACK;

-- Every released version (each install script calls the check before anything that
-- needs PostgreSQL 15) fails the same way; "failures" names any that does not.
CREATE FUNCTION pg_temp.try_install(version pg_catalog.text) RETURNS pg_catalog.text
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE pg_catalog.format('CREATE EXTENSION attempt_lock VERSION %L', version);
    RETURN 'installed';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ' ' || SQLERRM;
END $$;
SELECT pg_catalog.count(*) >= 2 AS several_versions,
       pg_catalog.string_agg(version || ': ' || outcome, '; ')
           FILTER (WHERE outcome NOT LIKE '0A000 attempt_lock: PostgreSQL 14 is not supported%') AS failures
  FROM (SELECT version, pg_temp.try_install(version) AS outcome
          FROM pg_catalog.pg_available_extension_versions
         WHERE name = 'attempt_lock') AS attempts;

-- Nothing stays behind: no extension, no function, table or view of it, no event trigger.
SELECT count(*) AS extensions FROM pg_extension WHERE extname = 'attempt_lock';
SELECT count(*) AS functions FROM pg_proc WHERE proname LIKE 'attempt%';
SELECT count(*) AS relations FROM pg_class WHERE relname LIKE 'attempt%';
SELECT count(*) AS event_triggers FROM pg_event_trigger;

-- The refusal is the native source check itself (the first native call of every install
-- script), so the check refuses when called directly too.
CREATE FUNCTION pg_temp.check_source(pg_catalog.text) RETURNS pg_catalog.oid
STRICT LANGUAGE c AS 'attempt_lock', 'attempt_lock_check_source_wrapper';
SELECT pg_temp.check_source('exam_results');
