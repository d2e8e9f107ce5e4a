-- attempt_lock 1.1 -> 1.0: back to the PL/pgSQL ddl_command_start guard of 1.0.
--
-- Restores, byte for byte as in sql/install/attempt_lock--1.0.sql, the function body
-- (CREATE OR REPLACE: same function, same OID, language c -> plpgsql), its COMMENT, and
-- the event trigger with the 1.0 tag list and COMMENT (dropped and re-created: ALTER EVENT
-- TRIGGER cannot change tags). The library keeps exporting
-- attempt_lock_guard_start_native for databases still on 1.1.

-- ddl_command_start: DROP ... CASCADE / ALTER TABLE ... DROP COLUMN ...
-- CASCADE that would reach the extension. PostgreSQL turns such a cascade
-- into dropping the whole extension, including these event triggers, so
-- sql_drop / ddl_command_end never fire for it: only ddl_command_start can
-- refuse it. PL/pgSQL sees the tag and the query text, not the parse tree,
-- so this check matches names (see REPORT.md; the native version reads the
-- DropStmt).
CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_guard_start()
RETURNS event_trigger
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_query text;
    v_types text[];
    r record;
BEGIN
    v_query := pg_catalog.current_query();
    IF v_query IS NULL OR v_query !~* '\mcascade\M' THEN
        RETURN;   -- without CASCADE PostgreSQL itself refuses to reach a member
    END IF;
    IF to_regclass('@extschema@.attempt_lock_state') IS NULL
       OR @extschema@.attempt_lock_in_script() THEN
        RETURN;
    END IF;
    v_types := CASE tg_tag
        WHEN 'DROP TABLE' THEN '{table,"foreign table",view,"materialized view",sequence}'
        WHEN 'ALTER TABLE' THEN '{table,"foreign table"}'
        WHEN 'DROP VIEW' THEN '{view}'
        WHEN 'DROP MATERIALIZED VIEW' THEN '{"materialized view"}'
        WHEN 'DROP FOREIGN TABLE' THEN '{"foreign table"}'
        WHEN 'DROP SEQUENCE' THEN '{sequence}'
        WHEN 'DROP SCHEMA' THEN '{schema}'
        WHEN 'DROP TYPE' THEN '{type}'
        WHEN 'DROP DOMAIN' THEN '{type}'
        WHEN 'DROP FUNCTION' THEN '{function,aggregate}'
        WHEN 'DROP PROCEDURE' THEN '{procedure}'
        WHEN 'DROP ROUTINE' THEN '{function,procedure,aggregate}'
        WHEN 'DROP AGGREGATE' THEN '{aggregate}'
        WHEN 'DROP EXTENSION' THEN '{extension}'
        WHEN 'DROP LANGUAGE' THEN '{language}'
        WHEN 'DROP OWNED' THEN '{role}'
        ELSE NULL   -- any other tag: compare with every outside object
    END::text[];
    FOR r IN
        SELECT s.object_type, s.identity
        FROM @extschema@.attempt_lock_state AS s
        WHERE s.kind = 'external'
          AND s.recorded_at = (SELECT max(s2.recorded_at) FROM @extschema@.attempt_lock_state AS s2)
          AND (v_types IS NULL OR s.object_type = ANY (v_types))
          AND v_query ~* ('\m' || pg_catalog.regexp_replace(s.name, '([^[:alnum:]_])', '\\\1', 'g') || '\M')
        ORDER BY s.object_type, s.identity
        LIMIT 1
    LOOP
        PERFORM @extschema@.attempt_lock_refuse(
            tg_tag || ' ... CASCADE',
            'view ' || '@extschema@.attempt'::pg_catalog.regclass::text
            || ' (reached through ' || r.object_type || ' ' || r.identity || ')',
            'The statement names ' || r.object_type || ' ' || r.identity
            || ' with CASCADE; PostgreSQL would drop the whole extension attempt_lock with it.');
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_guard_start() IS
'attempt_lock: ddl_command_start event trigger function; refuses DROP ... CASCADE (and ALTER TABLE ... CASCADE) statements that name an outside object the extension depends on, such as the source table exam_results, because PostgreSQL would drop the whole extension.';

DROP EVENT TRIGGER attempt_lock_guard_start;
CREATE EVENT TRIGGER attempt_lock_guard_start ON ddl_command_start
    WHEN TAG IN ('DROP TABLE', 'ALTER TABLE', 'DROP VIEW', 'DROP MATERIALIZED VIEW',
                 'DROP FOREIGN TABLE', 'DROP SEQUENCE', 'DROP SCHEMA', 'DROP TYPE',
                 'DROP DOMAIN', 'DROP FUNCTION', 'DROP PROCEDURE', 'DROP ROUTINE',
                 'DROP AGGREGATE', 'DROP EXTENSION', 'DROP LANGUAGE', 'DROP OWNED',
                 'DROP OPERATOR', 'DROP CAST', 'DROP COLLATION', 'DROP SERVER',
                 'DROP FOREIGN DATA WRAPPER', 'DROP TEXT SEARCH CONFIGURATION')
    EXECUTE FUNCTION @extschema@.attempt_lock_guard_start();
COMMENT ON EVENT TRIGGER attempt_lock_guard_start IS
'attempt_lock: refuses DROP ... CASCADE that would reach extension attempt_lock through an outside object it depends on.';

-- Release bookkeeping (history, then the baseline as the very last statement). Whoever
-- assembles sql/upgrade/attempt_lock--1.1--1.0.sql: keep exactly one of each.
INSERT INTO @extschema@.attempt_lock_history (version, action) VALUES ('1.0', 'update');

SELECT @extschema@.attempt_lock_record_state();
