-- A hostile object planted in public (functions and operators that shadow the ones the
-- extension uses, each logging every call) changes nothing the extension computes:
-- not at CREATE EXTENSION, not in attempt, attempt_rejects, attempt_health(), the hashes
-- or the lock, whatever the caller's search_path, even with public before pg_catalog.
-- The end shows that no hostile object ran at all (until the 1.2 library, the native
-- source check ran two under a public-first path).
\set VERBOSITY terse
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;  -- a logging hostile function cannot run in a worker
\i tests/regress/fixtures/exam_results.sql
-- Clean data, retakes, and one result of each kind the parser drops or defaults.
INSERT INTO exam_results (id, user_id, session_id, created_at, updated_at, result_json)
SELECT ('00000000-0000-0000-0000-0000000000' || lpad(n::text, 2, '0'))::uuid,
       CASE n % 5 WHEN 0 THEN 'student-' || (n % 3)
                  WHEN 1 THEN 'ABCDEF01-2345-6789-ABCD-EF012345678' || (n % 3)
                  WHEN 2 THEN 'abcd-abcdabcd-abcd-abcd-abcdabcdabc' || (n % 3)
                  WHEN 3 THEN repeat('-', 36)
                  ELSE ' élève ' || (n % 3) END,
       's' || n, now() - n * interval '1 hour',
       CASE WHEN n % 4 = 0 THEN now() - interval '10 minutes' END,
       jsonb_build_object('questions', jsonb_build_array(
           jsonb_build_object('question_id', 1001, 'is_correct', n % 2 = 0,
                              'time_spent_sec', n * 1.25, 'used_hints', n % 3, 'topic', 'algebra'),
           jsonb_build_object('question_id', '1002', 'correct', true, 'time_spent_sec', 0.0005),
           jsonb_build_object('question_id', n % 7, 'is_correct', 'yes', 'time_spent_sec', 'NaN',
                              'used_hints', 1.5, 'topic', ''),
           jsonb_build_object('question_id', 1001),
           jsonb_build_object('question_id', 'abc'),
           jsonb_build_object('question_id', 1e400),
           '[]'::jsonb, 'null'::jsonb, '{}'::jsonb))
FROM generate_series(1, 40) AS n;
INSERT INTO exam_results VALUES
  ('00000000-0000-0000-0000-0000000000f1', NULL, NULL, now(), NULL, '{"questions": [{"question_id": 1}]}'),
  ('00000000-0000-0000-0000-0000000000f2', ' ', NULL, now(), NULL, '{"questions": [{"question_id": 1}]}'),
  ('00000000-0000-0000-0000-0000000000f3', 'x', NULL, NULL, NULL, '{"questions": [{"question_id": 1}]}'),
  ('00000000-0000-0000-0000-0000000000f4', 'y', NULL, now(), NULL, '{"questions": "x"}'),
  ('00000000-0000-0000-0000-0000000000f5', 'z', NULL, now(), NULL, NULL);

-- The truth: a clean install, its results and its recorded state.
CREATE EXTENSION attempt_lock;
CREATE INDEX exam_results_student_idx ON exam_results (attempt_student_uuid(user_id));
ANALYZE exam_results;
CREATE TABLE clean_attempt AS SELECT * FROM attempt;
CREATE TABLE clean_rejects AS SELECT * FROM attempt_rejects;
CREATE TABLE clean_health AS SELECT "check", status, observed FROM attempt_health(exact => true);
CREATE TABLE clean_state AS SELECT kind, object_type, identity, definition FROM attempt_lock_snapshot();
CREATE TABLE probe(u text, a text, b text);
INSERT INTO probe VALUES ('student-42', '42', '7'), ('', '', ''), (repeat('-', 36), 'é日本', '-1'),
  ('ABCDEF01-2345-6789-ABCD-EF0123456789', '5f0c7c1e-4b7a-4a39-9d1e-0c1f3c2b7a10', '1001'),
  ('abcd-abcdabcd-abcd-abcd-abcdabcdabcd', repeat('x', 3000), '9223372036854775807');
CREATE TABLE clean_hashes AS
SELECT u, a, b, attempt_student_uuid(u) AS student, attempt_id(a, b) AS id_text,
       attempt_id('5f0c7c1e-4b7a-4a39-9d1e-0c1f3c2b7a10'::uuid, length(u)) AS id_uuid
FROM probe;
DROP INDEX exam_results_student_idx;
DROP EXTENSION attempt_lock;
SELECT count(*) AS clean_rows FROM clean_attempt;
SELECT action, count(*) FROM clean_rejects GROUP BY 1 ORDER BY 1;

-- The hostile objects: every one logs its call into hijack_log, then lies.
CREATE TABLE hijack_log (what text);
CREATE FUNCTION public.log_call(what text) RETURNS void LANGUAGE plpgsql VOLATILE AS
$$ BEGIN INSERT INTO public.hijack_log VALUES (what); END $$;
CREATE FUNCTION public.md5(text) RETURNS text LANGUAGE plpgsql VOLATILE AS
$$ BEGIN PERFORM public.log_call('md5'); RETURN '00000000000000000000000000000000'; END $$;
CREATE FUNCTION public.btrim(text, text) RETURNS text LANGUAGE plpgsql VOLATILE AS
$$ BEGIN PERFORM public.log_call('btrim'); RETURN 'x'; END $$;
CREATE FUNCTION public.jsonb_typeof(jsonb) RETURNS text LANGUAGE plpgsql VOLATILE AS
$$ BEGIN PERFORM public.log_call('jsonb_typeof'); RETURN 'object'; END $$;
CREATE FUNCTION public.ltrim(text, text) RETURNS text LANGUAGE plpgsql VOLATILE AS
$$ BEGIN PERFORM public.log_call('ltrim'); RETURN ''; END $$;
CREATE FUNCTION public.round(numeric) RETURNS numeric LANGUAGE plpgsql VOLATILE AS
$$ BEGIN PERFORM public.log_call('round'); RETURN 7; END $$;
CREATE FUNCTION public.min_scale(numeric) RETURNS integer LANGUAGE plpgsql VOLATILE AS
$$ BEGIN PERFORM public.log_call('min_scale'); RETURN 0; END $$;
CREATE FUNCTION public.lower(text) RETURNS text LANGUAGE plpgsql VOLATILE AS
$$ BEGIN PERFORM public.log_call('lower'); RETURN 'on'; END $$;
CREATE FUNCTION public.current_setting(text, boolean) RETURNS text LANGUAGE plpgsql VOLATILE AS
$$ BEGIN PERFORM public.log_call('current_setting'); RETURN 'on'; END $$;
CREATE FUNCTION public.now() RETURNS timestamptz LANGUAGE plpgsql VOLATILE AS
$$ BEGIN PERFORM public.log_call('now'); RETURN '2000-01-01'; END $$;
CREATE FUNCTION public.to_regclass(text) RETURNS regclass LANGUAGE plpgsql VOLATILE AS
$$ BEGIN PERFORM public.log_call('to_regclass'); RETURN 'pg_class'::regclass; END $$;
CREATE FUNCTION public.jsonb_array_elements(jsonb) RETURNS SETOF jsonb LANGUAGE plpgsql VOLATILE AS
$$ BEGIN PERFORM public.log_call('jsonb_array_elements'); RETURN NEXT '{"question_id": 666}'::jsonb; END $$;
CREATE FUNCTION public."coalesce"(timestamptz, timestamptz) RETURNS timestamptz LANGUAGE plpgsql VOLATILE AS
$$ BEGIN PERFORM public.log_call('coalesce'); RETURN '2000-01-01'; END $$;
CREATE FUNCTION public.attempt_student_uuid(varchar) RETURNS uuid LANGUAGE plpgsql VOLATILE AS
$$ BEGIN PERFORM public.log_call('attempt_student_uuid(varchar)'); RETURN '00000000-0000-0000-0000-000000000000'; END $$;
CREATE FUNCTION public.hostile_op(what text, result boolean) RETURNS boolean LANGUAGE plpgsql VOLATILE AS
$$ BEGIN PERFORM public.log_call(what); RETURN result; END $$;
-- Operators with exactly the signatures the extension's SQL and native queries use.
CREATE FUNCTION public.eq_text(text, text) RETURNS boolean LANGUAGE sql VOLATILE AS $$ SELECT public.hostile_op('= text', true) $$;
CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, FUNCTION = public.eq_text);
CREATE FUNCTION public.ne_text(text, text) RETURNS boolean LANGUAGE sql VOLATILE AS $$ SELECT public.hostile_op('<> text', false) $$;
CREATE OPERATOR public.<> (LEFTARG = text, RIGHTARG = text, FUNCTION = public.ne_text);
CREATE FUNCTION public.eq_jsonb(jsonb, jsonb) RETURNS boolean LANGUAGE sql VOLATILE AS $$ SELECT public.hostile_op('= jsonb', true) $$;
CREATE OPERATOR public.= (LEFTARG = jsonb, RIGHTARG = jsonb, FUNCTION = public.eq_jsonb);
CREATE FUNCTION public.ne_jsonb(jsonb, jsonb) RETURNS boolean LANGUAGE sql VOLATILE AS $$ SELECT public.hostile_op('<> jsonb', false) $$;
CREATE OPERATOR public.<> (LEFTARG = jsonb, RIGHTARG = jsonb, FUNCTION = public.ne_jsonb);
CREATE FUNCTION public.arrow_jsonb(jsonb, text) RETURNS jsonb LANGUAGE sql VOLATILE AS $$ SELECT public.hostile_op('-> jsonb', true)::text::jsonb $$;
CREATE OPERATOR public.-> (LEFTARG = jsonb, RIGHTARG = text, FUNCTION = public.arrow_jsonb);
CREATE FUNCTION public.path_text(jsonb, text[]) RETURNS text LANGUAGE sql VOLATILE AS $$ SELECT public.hostile_op('#>> jsonb', true)::text $$;
CREATE OPERATOR public.#>> (LEFTARG = jsonb, RIGHTARG = text[], FUNCTION = public.path_text);
CREATE FUNCTION public.eq_int8(bigint, bigint) RETURNS boolean LANGUAGE sql VOLATILE AS $$ SELECT public.hostile_op('= bigint', true) $$;
CREATE OPERATOR public.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = public.eq_int8);
CREATE FUNCTION public.ge_numeric(numeric, numeric) RETURNS boolean LANGUAGE sql VOLATILE AS $$ SELECT public.hostile_op('>= numeric', true) $$;
CREATE OPERATOR public.>= (LEFTARG = numeric, RIGHTARG = numeric, FUNCTION = public.ge_numeric);
CREATE FUNCTION public.le_numeric(numeric, numeric) RETURNS boolean LANGUAGE sql VOLATILE AS $$ SELECT public.hostile_op('<= numeric', true) $$;
CREATE OPERATOR public.<= (LEFTARG = numeric, RIGHTARG = numeric, FUNCTION = public.le_numeric);
CREATE FUNCTION public.lt_tstz(timestamptz, timestamptz) RETURNS boolean LANGUAGE sql VOLATILE AS $$ SELECT public.hostile_op('< timestamptz', true) $$;
CREATE OPERATOR public.< (LEFTARG = timestamptz, RIGHTARG = timestamptz, FUNCTION = public.lt_tstz);
CREATE FUNCTION public.minus_tstz(timestamptz, interval) RETURNS timestamptz LANGUAGE plpgsql VOLATILE AS
$$ BEGIN PERFORM public.log_call('- timestamptz'); RETURN '2000-01-01'; END $$;
CREATE OPERATOR public.- (LEFTARG = timestamptz, RIGHTARG = interval, FUNCTION = public.minus_tstz);
CREATE FUNCTION public.eq_oid(oid, oid) RETURNS boolean LANGUAGE sql VOLATILE AS $$ SELECT public.hostile_op('= oid', $1 OPERATOR(pg_catalog.=) $2) $$;
CREATE OPERATOR public.= (LEFTARG = oid, RIGHTARG = oid, FUNCTION = public.eq_oid);
CREATE FUNCTION public.gt_int24(int2, int4) RETURNS boolean LANGUAGE sql VOLATILE AS $$ SELECT public.hostile_op('> int2 int4', $1 OPERATOR(pg_catalog.>) $2) $$;
CREATE OPERATOR public.> (LEFTARG = int2, RIGHTARG = int4, FUNCTION = public.gt_int24);
CREATE FUNCTION public.regex_text(text, text) RETURNS boolean LANGUAGE sql VOLATILE AS $$ SELECT public.hostile_op('~ text', true) $$;
CREATE OPERATOR public.~ (LEFTARG = text, RIGHTARG = text, FUNCTION = public.regex_text);
-- The hostile objects work: called the way a careless query would call them, they lie.
SET search_path = public, pg_catalog;
SELECT md5('x') AS hostile_md5, jsonb_typeof('1') AS hostile_jsonb_typeof, 'a'::text = 'b'::text AS hostile_eq;
RESET search_path;
TRUNCATE hijack_log;

-- Installed with the hostile objects in place: the same objects and definitions as the
-- clean install, no member depends on anything planted in public, and nothing hostile ran.
CREATE EXTENSION attempt_lock;
CREATE INDEX exam_results_student_idx ON exam_results (attempt_student_uuid(user_id));
ANALYZE exam_results;
SELECT count(*) AS calls_during_install FROM hijack_log;
SELECT s.kind, s.object_type, s.identity
  FROM (SELECT kind, object_type, identity, definition FROM attempt_lock_snapshot()
        EXCEPT SELECT * FROM clean_state) AS s ORDER BY 1, 2, 3;
SELECT (SELECT count(*) FROM clean_state) - (SELECT count(*) FROM attempt_lock_snapshot()) AS objects_missing;
SELECT pg_describe_object(d.refclassid, d.refobjid, 0) AS member_depends_on
  FROM pg_depend d
  JOIN pg_depend m ON m.refclassid = 'pg_extension'::regclass AND m.deptype = 'e'
                  AND m.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'attempt_lock')
                  AND (d.classid, d.objid) IN (SELECT m.classid, m.objid
                                               UNION SELECT 'pg_rewrite'::regclass, r.oid FROM pg_rewrite r
                                                      WHERE m.classid = 'pg_class'::regclass AND r.ev_class = m.objid)
 WHERE d.refclassid IN ('pg_proc'::regclass, 'pg_operator'::regclass)
   AND (SELECT p.pronamespace FROM pg_proc p WHERE d.refclassid = 'pg_proc'::regclass AND p.oid = d.refobjid
        UNION ALL
        SELECT o.oprnamespace FROM pg_operator o WHERE d.refclassid = 'pg_operator'::regclass AND o.oid = d.refobjid)
       = 'public'::regnamespace
   AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = d.refclassid AND e.objid = d.refobjid AND e.deptype = 'e')
 ORDER BY 1;

-- Everything the extension computes, under three search paths: the default, public
-- before pg_catalog, and public alone (pg_catalog is then searched first, implicitly).
-- hijack_calls records which hostile objects ran under which path.
CREATE TABLE hijack_calls (search_path text, what text);
CREATE FUNCTION pg_temp.compute(label text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE public.hijack_log;
    EXECUTE format('CREATE TABLE %I AS SELECT * FROM attempt', 'got_attempt_' || label);
    EXECUTE format('CREATE TABLE %I AS SELECT * FROM attempt_rejects', 'got_rejects_' || label);
    EXECUTE format('CREATE TABLE %I AS SELECT "check", status, observed FROM attempt_health(exact => true)', 'got_health_' || label);
    EXECUTE format('CREATE TABLE %I AS SELECT "check", status FROM attempt_health()', 'got_health_est_' || label);
    EXECUTE format('CREATE TABLE %I AS SELECT u, a, b, attempt_student_uuid(u) AS student, attempt_id(a, b) AS id_text,'
                   ' attempt_id(''5f0c7c1e-4b7a-4a39-9d1e-0c1f3c2b7a10''::uuid, length(u)) AS id_uuid FROM probe', 'got_hashes_' || label);
    EXECUTE format('CREATE TABLE %I AS SELECT attempt_health_assert(exact => true, freshness_warn => NULL, freshness_fail => NULL) AS warnings,'
                   ' (SELECT count(*) FROM attempt_source_problems(''exam_results'')) AS source_problems,'
                   ' attempt_lock_check_source(''exam_results'') OPERATOR(pg_catalog.=) ''exam_results''::regclass AS source_ok,'
                   ' (SELECT count(*) FROM attempt_lock_drift()) AS drift', 'got_misc_' || label);
    INSERT INTO hijack_calls SELECT DISTINCT label, what FROM public.hijack_log;
END $$;
SELECT pg_temp.compute('default');
SET search_path = public, pg_catalog;
SELECT pg_temp.compute('public_first');
SET search_path = public;
SELECT pg_temp.compute('public_only');
RESET search_path;

-- Rows in one table and not the other, both ways (EXCEPT compares with the types' default
-- operator classes, which no search path redirects).
CREATE FUNCTION pg_temp.diff(a text, b text, cols text DEFAULT '*') RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
    EXECUTE format('SELECT count(*) FROM ((SELECT %3$s FROM %1$I EXCEPT ALL SELECT %3$s FROM %2$I)'
                   ' UNION ALL (SELECT %3$s FROM %2$I EXCEPT ALL SELECT %3$s FROM %1$I)) AS d', a, b, cols) INTO n;
    RETURN n;
END $$;
SELECT l AS search_path,
       pg_temp.diff('clean_attempt', 'got_attempt_' || l) AS attempt_diff,
       pg_temp.diff('clean_rejects', 'got_rejects_' || l) AS rejects_diff,
       pg_temp.diff('clean_health', 'got_health_' || l, $$"check", status,
                    CASE WHEN "check" IN ('freshness', 'statistics') THEN NULL ELSE observed END$$) AS health_diff,
       pg_temp.diff('got_health_est_default', 'got_health_est_' || l) AS estimated_health_diff,
       pg_temp.diff('clean_hashes', 'got_hashes_' || l) AS hashes_diff,
       pg_temp.diff('got_misc_default', 'got_misc_' || l) AS misc_diff
  FROM unnest(ARRAY['default', 'public_first', 'public_only']) AS l ORDER BY 1;
SELECT * FROM got_misc_default;
SELECT "check", status FROM clean_health WHERE status <> 'ok' ORDER BY 1;

-- The lock refuses the same statements with public before pg_catalog; a hostile
-- current_setting() or lower() cannot switch the override on.
SET search_path = public, pg_catalog;
TRUNCATE hijack_log;
ALTER VIEW attempt RENAME TO attempt_renamed;
CREATE RULE attempt_no_insert AS ON INSERT TO attempt DO INSTEAD NOTHING;
DROP FUNCTION attempt_id(text, text);
DROP TABLE exam_results CASCADE;
ALTER TABLE exam_results DROP COLUMN user_id CASCADE;
CREATE OR REPLACE FUNCTION attempt_lock_override_active() RETURNS boolean LANGUAGE sql AS 'SELECT true';
ALTER FUNCTION attempt_student_uuid(text) VOLATILE;
SELECT DISTINCT what AS hostile_called_by_the_lock FROM hijack_log ORDER BY 1;
RESET search_path;
SELECT count(*) AS drift_after_refusals FROM attempt_lock_drift();

-- Which hostile objects ran, under which search path: none. The native
-- attempt_source_problems() / attempt_lock_check_source() run their catalog queries with
-- the caller's search path (to resolve the table name they are given), so every operator
-- in them is qualified (until the 1.2 library, a planted = (oid, oid) and > (int2, int4)
-- ran there for a caller whose search_path put public first).
SELECT search_path, what FROM hijack_calls ORDER BY 1, 2;
