-- The security model, audited from the catalog (docs/SECURITY.md):
-- * every function of the extension resolves its names at a fixed search path: a pinned
--   search_path (proconfig), a native function (LANGUAGE c/internal), or a BEGIN ATOMIC
--   SQL body (bound when it was created);
-- * a pinned search_path is exactly pg_catalog, pg_temp (pg_temp last: no temporary
--   object can shadow a catalog name);
-- * SECURITY DEFINER: exactly the documented list, each pinned;
-- * the views are security_invoker; what PUBLIC may do with each member is as documented.
-- A new function, a new SECURITY DEFINER or a widened grant changes this output.
\set VERBOSITY terse
\i tests/regress/fixtures/exam_results.sql
CREATE EXTENSION attempt_lock;

CREATE VIEW audit_functions AS
SELECT p.oid::regprocedure::text AS function, l.lanname AS language, p.prosecdef AS security_definer,
       (SELECT c FROM unnest(p.proconfig) AS c WHERE c LIKE 'search_path=%') AS search_path,
       p.prosqlbody IS NOT NULL AS atomic_body,
       CASE WHEN EXISTS (SELECT 1 FROM unnest(p.proconfig) AS c WHERE c LIKE 'search_path=%') THEN 'pinned'
            WHEN l.lanname IN ('c', 'internal') THEN 'native'
            WHEN p.prosqlbody IS NOT NULL THEN 'atomic'
            ELSE 'NOT PINNED' END AS name_resolution
FROM pg_proc p
JOIN pg_language l ON l.oid = p.prolang
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
WHERE d.refclassid = 'pg_extension'::regclass
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'attempt_lock');

-- Every function, how its names are resolved.
SELECT function, language, name_resolution, security_definer FROM audit_functions ORDER BY 1;

-- The audit: no function left to the caller's search path.
SELECT count(*) AS not_pinned FROM audit_functions WHERE name_resolution = 'NOT PINNED';
-- Pinned paths: exactly pg_catalog, pg_temp.
SELECT search_path, count(*) FROM audit_functions WHERE search_path IS NOT NULL GROUP BY 1;
-- SECURITY DEFINER: exactly the documented one (attempt_lock_override_uses(): counts from
-- the superuser-only override log, for every role that runs attempt_health() or the lock).
SELECT function, search_path, name_resolution FROM audit_functions WHERE security_definer ORDER BY 1;

-- Native functions that run SQL of their own cannot be audited from the catalog; they are
-- named here so that a new one is a conscious addition (docs/SECURITY.md lists what each
-- runs, and tests/regress/sql/security_search_path.sql calls each under a hostile path).
SELECT function FROM audit_functions WHERE language = 'c' ORDER BY 1;

-- Views: security_invoker, no security_barrier needed (no leaky quals of their own).
SELECT c.relname, c.reloptions FROM pg_class c
 WHERE c.oid IN ('attempt'::regclass, 'attempt_rejects'::regclass) ORDER BY 1;

-- What PUBLIC may do with each member (functions: EXECUTE unless revoked; relations:
-- the privileges granted). The override log (query texts) and record_state are closed.
CREATE ROLE attempt_lock_audit_nobody;
SELECT pg_describe_object(d.classid, d.objid, 0) AS member,
       CASE d.classid
           WHEN 'pg_proc'::regclass THEN
               CASE WHEN has_function_privilege('attempt_lock_audit_nobody', d.objid, 'EXECUTE') THEN 'EXECUTE' ELSE '-' END
           WHEN 'pg_class'::regclass THEN
               coalesce(nullif(concat_ws(',',
                   CASE WHEN has_table_privilege('attempt_lock_audit_nobody', d.objid, 'SELECT') THEN 'SELECT' END,
                   CASE WHEN has_table_privilege('attempt_lock_audit_nobody', d.objid, 'INSERT') THEN 'INSERT' END,
                   CASE WHEN has_table_privilege('attempt_lock_audit_nobody', d.objid, 'UPDATE') THEN 'UPDATE' END,
                   CASE WHEN has_table_privilege('attempt_lock_audit_nobody', d.objid, 'DELETE') THEN 'DELETE' END,
                   CASE WHEN has_table_privilege('attempt_lock_audit_nobody', d.objid, 'TRUNCATE') THEN 'TRUNCATE' END), ''), '-')
           ELSE 'n/a' END AS a_role_without_grants_may
FROM pg_depend d
WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'attempt_lock')
ORDER BY 1;

-- Members owned by the installing superuser, event triggers included (an event trigger
-- can only be created by a superuser; the lock's all run as the DDL's issuer).
SELECT count(*) FILTER (WHERE o.owner <> 'postgres') AS members_not_owned_by_installer
FROM pg_depend d,
     LATERAL (SELECT pg_get_userbyid(CASE d.classid
                  WHEN 'pg_class'::regclass THEN (SELECT relowner FROM pg_class WHERE oid = d.objid)
                  WHEN 'pg_proc'::regclass THEN (SELECT proowner FROM pg_proc WHERE oid = d.objid)
                  WHEN 'pg_type'::regclass THEN (SELECT typowner FROM pg_type WHERE oid = d.objid)
                  WHEN 'pg_event_trigger'::regclass THEN (SELECT evtowner FROM pg_event_trigger WHERE oid = d.objid)
              END)::text AS owner) AS o
WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'attempt_lock');

-- The settings: the override can only be set by a superuser (PGC_SUSET); the source table
-- only matters at CREATE EXTENSION.
SELECT name, context FROM pg_settings WHERE name LIKE 'attempt_lock.%' ORDER BY 1;
DROP ROLE attempt_lock_audit_nobody;
