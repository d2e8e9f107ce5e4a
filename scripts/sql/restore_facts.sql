-- The facts scripts/reliability/restore.sh and pg_upgrade.sh compare, of a database made
-- by restore_source.sql: psql -v cutoff=TIMESTAMPTZ -F '<tab>' -At -f this prints one line
-- per fact, "name<tab>value". History, state and override-log rows are those recorded up
-- to the cutoff (a restore records its own afterwards). Written for 1.2 and 1.3 alike.
SET client_min_messages = warning;
SELECT c.source_table::text AS src FROM attempt_lock_config AS c \gset
SELECT 'version', extversion FROM pg_extension WHERE extname = 'attempt_lock';
SELECT 'attempt', count(*) || ':' || md5(string_agg(a::text, ',' ORDER BY a.id, a::text)) FROM attempt AS a;
SELECT 'rejects', count(*) || ':' || md5(string_agg(r::text, ',' ORDER BY r::text)) FROM attempt_rejects AS r;
SELECT 'source', (to_jsonb(c) - 'singleton')::text FROM attempt_lock_config AS c;
SELECT 'source_table', :'src';
SELECT 'indexes', string_agg(indexdef, '; ' ORDER BY indexname) FROM pg_indexes
 WHERE format('%I.%I', schemaname, tablename)::regclass = :'src'::regclass;
SELECT 'views', string_agg(c.relname || ':' || md5(pg_get_viewdef(c.oid)), ' ' ORDER BY c.relname)
  FROM pg_class AS c WHERE c.relname IN ('attempt_daily', 'attempt_daily_busy', 'reject_reasons', 'rejected_results')
   AND c.relnamespace = 'public'::regnamespace;
-- Their columns (the text of a definition differs by major: views, within one).
SELECT 'view_columns', string_agg(c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', '
                                  ORDER BY c.relname, a.attnum)
  FROM pg_class AS c JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relname IN ('attempt', 'attempt_rejects', 'attempt_daily', 'attempt_daily_busy', 'reject_reasons', 'rejected_results')
   AND c.relnamespace = 'public'::regnamespace;
SELECT 'view_rows', (SELECT count(*) || ':' || md5(string_agg(v::text, ',' ORDER BY v::text)) FROM attempt_daily_busy AS v)
        || ' ' || (SELECT count(*) || ':' || md5(string_agg(v::text, ',' ORDER BY v::text)) FROM reject_reasons AS v);
SELECT to_regclass('rejected_results') IS NOT NULL AS joined \gset
\if :joined
SELECT 'joined_rows', count(*) || ':' || md5(string_agg(v::text, ',' ORDER BY v::text)) FROM rejected_results AS v;
\endif
-- The grants to others than the owner (whose own rights differ by major: MAINTAIN, 17+).
SELECT 'grants', string_agg(c.relname || ':' || pg_get_userbyid(a.grantee) || '=' || a.privilege_type, ' '
                            ORDER BY c.relname, pg_get_userbyid(a.grantee), a.privilege_type)
  FROM pg_class AS c CROSS JOIN LATERAL aclexplode(c.relacl) AS a
 WHERE c.relname IN ('attempt', 'attempt_rejects', 'attempt_daily', 'attempt_daily_busy', 'reject_reasons', 'rejected_results')
   AND c.relnamespace = 'public'::regnamespace AND a.grantee <> c.relowner;
SELECT 'column_grants', COALESCE(string_agg(c.relname || '.' || a.attname || '=' || a.attacl::text, ' ' ORDER BY c.relname, a.attnum), '-')
  FROM pg_attribute AS a JOIN pg_class AS c ON c.oid = a.attrelid
 WHERE a.attacl IS NOT NULL AND c.relnamespace = 'public'::regnamespace;
SELECT 'store', 'enabled=' || (to_jsonb(s) ->> 'enabled') || ' stale=' || COALESCE(to_jsonb(s) ->> 'stale_since', '-')
        || ' triggers=' || COALESCE(to_jsonb(s) ->> 'triggers', '-')
  FROM attempt_store_status() AS s;
SELECT 'history', count(*) || ':' || md5(string_agg(h::text, ',' ORDER BY h::text))
  FROM attempt_lock_history AS h WHERE h.at <= :'cutoff';
SELECT 'state', count(*) || ':' || md5(string_agg(s::text, ',' ORDER BY s::text))
  FROM attempt_lock_state AS s WHERE s.recorded_at <= :'cutoff';
SELECT 'override_log', count(*) || ':' || md5(string_agg(o::text, ',' ORDER BY o::text))
  FROM attempt_lock_override_log AS o WHERE o.logged_at <= :'cutoff';
SELECT 'health', string_agg("check" || '=' || status, ' ' ORDER BY "check")
  FROM attempt_health(exact => true, freshness_warn => NULL, freshness_fail => NULL);
