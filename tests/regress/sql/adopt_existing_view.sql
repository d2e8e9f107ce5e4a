-- Adopting the deployed view (docs/ADOPTING.md): CREATE EXTENSION over an existing
-- attempt is refused with a HINT and changes nothing; with attempt_lock.adopt_existing_view
-- it replaces the view in one statement, keeping its grants and the views built on it
-- (two levels, with owners, grants, column grants, comments, options and an INSTEAD OF
-- trigger), detached from the extension; attempt_lock_unadopt_statements() is the way
-- back, and adopting again works (a migration's upgrade, downgrade, upgrade).
\set VERBOSITY default
\set SHOW_CONTEXT never
\i tests/regress/fixtures/deployed_view.sql
CREATE ROLE adopt_kpi_owner;
CREATE ROLE adopt_bi_reader;
CREATE ROLE adopt_etl;
GRANT SELECT ON attempt TO adopt_etl, adopt_kpi_owner;
GRANT SELECT (student_id, item_id, correct) ON attempt TO adopt_bi_reader;
CREATE SCHEMA reporting;
GRANT USAGE, CREATE ON SCHEMA reporting TO adopt_kpi_owner;
GRANT USAGE ON SCHEMA reporting TO adopt_bi_reader, adopt_etl;
CREATE VIEW reporting.weekly_kpi WITH (security_barrier) AS
  SELECT date_trunc('week', completed_at) AS week, count(*) AS attempts,
         avg(correct::int)::numeric(5,3) AS accuracy
    FROM public.attempt GROUP BY 1;
ALTER VIEW reporting.weekly_kpi OWNER TO adopt_kpi_owner;
COMMENT ON VIEW reporting.weekly_kpi IS 'weekly KPI';
COMMENT ON COLUMN reporting.weekly_kpi.accuracy IS 'share correct';
GRANT SELECT ON reporting.weekly_kpi TO adopt_bi_reader;
CREATE VIEW reporting.first_attempts WITH (check_option = local) AS
  SELECT * FROM public.attempt WHERE attempt_no = 1;
GRANT SELECT (student_id, item_id) ON reporting.first_attempts TO adopt_bi_reader;
CREATE VIEW reporting.kpi_latest AS SELECT * FROM reporting.weekly_kpi ORDER BY week DESC LIMIT 1;
ALTER VIEW reporting.kpi_latest OWNER TO adopt_kpi_owner;
GRANT SELECT ON reporting.kpi_latest TO adopt_etl, adopt_bi_reader;
CREATE FUNCTION reporting.first_attempts_insert() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL; END$$;
CREATE TRIGGER first_attempts_insert INSTEAD OF INSERT ON reporting.first_attempts
  FOR EACH ROW EXECUTE FUNCTION reporting.first_attempts_insert();

-- What a DBA checks before and after: each view's owner, options, comments, grants,
-- triggers and columns.
CREATE FUNCTION pg_temp.views() RETURNS TABLE (view text, owner name, options text[], comment text,
    acl text, column_acls text, triggers text, columns text) LANGUAGE sql AS $$
  SELECT c.oid::regclass::text, pg_get_userbyid(c.relowner), c.reloptions,
         obj_description(c.oid, 'pg_class'),
         (SELECT string_agg(x.privilege_type || ' to ' || x.grantee::regrole::text, ', ' ORDER BY 1)
            FROM aclexplode(c.relacl) x WHERE x.grantee <> c.relowner),
         (SELECT string_agg(a.attname || ': ' || x.privilege_type || ' to ' || x.grantee::regrole::text, ', ' ORDER BY 1)
            FROM pg_attribute a, aclexplode(a.attacl) x WHERE a.attrelid = c.oid),
         (SELECT string_agg(t.tgname, ', ') FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal),
         (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
                            || COALESCE(' -- ' || col_description(c.oid, a.attnum), ''), ', ' ORDER BY a.attnum)
            FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0)
    FROM pg_class c WHERE c.relnamespace = 'reporting'::regnamespace AND c.relkind = 'v'
$$;
-- definitions as the adoption reads them: every name qualified
CREATE FUNCTION pg_temp.def(regclass) RETURNS text LANGUAGE sql SET search_path = pg_catalog
  AS 'SELECT pg_get_viewdef($1)';
CREATE TEMP TABLE before AS
  SELECT *, pg_get_viewdef(view::regclass) AS definition FROM pg_temp.views()
  UNION ALL
  SELECT 'public.attempt', pg_get_userbyid(c.relowner), c.reloptions, obj_description(c.oid, 'pg_class'),
         NULL, NULL, NULL, NULL, pg_get_viewdef(c.oid)
    FROM pg_class c WHERE c.oid = 'public.attempt'::regclass;
SELECT view, owner, options, comment, acl, column_acls, triggers FROM pg_temp.views() ORDER BY 1;

CREATE TEMP TABLE old_definition AS SELECT pg_temp.def('attempt') AS definition;

-- 1. Refused, with a HINT; nothing changed.
CREATE EXTENSION attempt_lock;
SELECT count(*) AS extensions FROM pg_extension WHERE extname = 'attempt_lock';
SELECT count(*) AS old_view_rows FROM attempt;

-- 2. Adopted, in one statement. attempt V1 reads exam_results with its reader's
-- privileges (security_invoker), the old view with its owner's: who read through the old
-- view and cannot read exam_results is named in a WARNING.
GRANT SELECT ON exam_results TO adopt_kpi_owner;
SET attempt_lock.adopt_existing_view = on;
CREATE EXTENSION attempt_lock;
RESET attempt_lock.adopt_existing_view;
GRANT SELECT ON exam_results TO adopt_etl, adopt_bi_reader;
-- attempt is the extension's V1 view now, with the old view's grants
SELECT c.relkind, obj_description(c.oid, 'pg_class') LIKE 'attempt V1 (attempt_lock)%' AS v1,
       EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e') AS member,
       (SELECT string_agg(x.privilege_type || ' to ' || x.grantee::regrole::text, ', ' ORDER BY 1)
          FROM aclexplode(c.relacl) x WHERE x.grantee <> c.relowner) AS acl,
       (SELECT string_agg(a.attname || ': ' || x.privilege_type || ' to ' || x.grantee::regrole::text, ', ' ORDER BY 1)
          FROM pg_attribute a, aclexplode(a.attacl) x WHERE a.attrelid = c.oid) AS column_acls
  FROM pg_class c WHERE c.oid = 'public.attempt'::regclass;
-- the views built on it: as they were, reading the V1 view, and not members
SELECT view, owner, options, comment, acl, column_acls, triggers FROM pg_temp.views() ORDER BY 1;
SELECT v.view FROM pg_temp.views() v JOIN before b USING (view) WHERE v.columns IS DISTINCT FROM b.columns;
SELECT count(*) AS members_in_reporting FROM pg_depend d JOIN pg_class c ON c.oid = d.objid
 WHERE d.deptype = 'e' AND d.classid = 'pg_class'::regclass AND c.relnamespace = 'reporting'::regnamespace;
SELECT * FROM reporting.kpi_latest;
SELECT student_id, item_id, attempt_no FROM reporting.first_attempts ORDER BY 1, 2;
SET ROLE adopt_bi_reader;
SELECT count(*) FROM reporting.kpi_latest;
SELECT count(student_id) FROM reporting.first_attempts;
SELECT count(correct) FROM attempt;
RESET ROLE;
-- the history keeps the old view in full and what was built on it
SELECT action, detail->'replaced'->>'name' AS replaced, detail->'replaced'->>'owner' AS owner,
       detail->'replaced'->>'comment' AS comment,
       detail->'replaced'->>'definition' = (SELECT definition FROM old_definition) AS full_definition,
       (SELECT string_agg(d->>'name', ', ') FROM jsonb_array_elements(detail->'dependents') d) AS dependents
  FROM attempt_lock_history ORDER BY at;
SELECT "check", status FROM attempt_health(freshness_fail => '100 years', freshness_warn => '100 years')
 WHERE "check" IN ('members', 'view', 'definition', 'column_contract', 'lock_triggers');
-- The adopted dependents stay their owners': not locked.
ALTER VIEW reporting.kpi_latest RENAME TO kpi_current;
ALTER VIEW reporting.kpi_current RENAME TO kpi_latest;
-- The V1 view is.
DROP VIEW attempt CASCADE;

-- 3. The way back (a migration's downgrade): the statements, then DROP EXTENSION
-- CASCADE, then the statements, in one transaction.
BEGIN;
CREATE TEMP TABLE way_back AS SELECT * FROM attempt_lock_unadopt_statements();
SELECT step, left(split_part(statement, ' AS ', 1), 60) AS statement FROM way_back ORDER BY step;
SET LOCAL client_min_messages = warning;
DROP EXTENSION attempt_lock CASCADE;
DO $$
DECLARE s text;
BEGIN
    FOR s IN SELECT statement FROM way_back ORDER BY step LOOP
        EXECUTE s;
    END LOOP;
END $$;
COMMIT;
-- everything as it was before the adoption
SELECT * FROM (SELECT *, pg_get_viewdef(view::regclass) FROM pg_temp.views()
               UNION ALL
               SELECT 'public.attempt', pg_get_userbyid(c.relowner), c.reloptions, obj_description(c.oid, 'pg_class'),
                      NULL, NULL, NULL, NULL, pg_get_viewdef(c.oid)
                 FROM pg_class c WHERE c.oid = 'public.attempt'::regclass) AS now
EXCEPT SELECT * FROM before;
SELECT * FROM before EXCEPT
SELECT * FROM (SELECT *, pg_get_viewdef(view::regclass) FROM pg_temp.views()
               UNION ALL
               SELECT 'public.attempt', pg_get_userbyid(c.relowner), c.reloptions, obj_description(c.oid, 'pg_class'),
                      NULL, NULL, NULL, NULL, pg_get_viewdef(c.oid)
                 FROM pg_class c WHERE c.oid = 'public.attempt'::regclass) AS now;
SELECT (SELECT string_agg(x.privilege_type || ' to ' || x.grantee::regrole::text, ', ' ORDER BY 1)
          FROM aclexplode(c.relacl) x WHERE x.grantee <> c.relowner) AS acl,
       (SELECT string_agg(a.attname || ': ' || x.privilege_type || ' to ' || x.grantee::regrole::text, ', ' ORDER BY 1)
          FROM pg_attribute a, aclexplode(a.attacl) x WHERE a.attrelid = c.oid) AS column_acls
  FROM pg_class c WHERE c.oid = 'public.attempt'::regclass;

-- 4. Adopting again (the migration's upgrade after its downgrade): no WARNING now.
SET attempt_lock.adopt_existing_view = on;
CREATE EXTENSION attempt_lock;
RESET attempt_lock.adopt_existing_view;
SELECT count(*) AS kpi_rows FROM reporting.kpi_latest;
SELECT action FROM attempt_lock_history ORDER BY at;

DROP EXTENSION attempt_lock CASCADE;
DROP SCHEMA reporting CASCADE;
DROP OWNED BY adopt_kpi_owner, adopt_bi_reader, adopt_etl;
DROP ROLE adopt_kpi_owner, adopt_bi_reader, adopt_etl;

-- 5. A view owned by the role that ran the migration: adoption grants that role SELECT on
-- the V1 view (it read its own view without a grant), and nothing more: no grant option,
-- the source read with its own rights only, the view still locked against it.
CREATE ROLE adopt_app;
\i scripts/sql/deployed_view.sql
ALTER VIEW attempt OWNER TO adopt_app;
SET attempt_lock.adopt_existing_view = on;
CREATE EXTENSION attempt_lock;
RESET attempt_lock.adopt_existing_view;
SELECT pg_get_userbyid(c.relowner) AS owner,
       (SELECT string_agg(x.privilege_type || ' to ' || x.grantee::regrole::text || CASE WHEN x.is_grantable THEN ' with grant option' ELSE '' END, ', ')
          FROM aclexplode(c.relacl) x WHERE x.grantee <> c.relowner) AS acl
  FROM pg_class c WHERE c.oid = 'public.attempt'::regclass;
SET ROLE adopt_app;
SELECT count(*) FROM attempt;
GRANT SELECT ON attempt TO PUBLIC;
ALTER VIEW attempt RENAME TO attempt_mine;
RESET ROLE;
GRANT SELECT ON exam_results TO adopt_app;
SET ROLE adopt_app;
SELECT count(*) AS rows_with_its_own_right_on_the_source FROM attempt;
RESET ROLE;
DROP EXTENSION attempt_lock;
DROP OWNED BY adopt_app;
DROP ROLE adopt_app;
