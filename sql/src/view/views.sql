-- The views attempt (docs/SPEC.md §3) and attempt_rejects (§5), and the one function that
-- (re)creates them.

-- attempt: the window runs over results, not attempts. attempt_no_counts() numbers each
-- kept element from the student's earlier results, so the only sort is of exam_results
-- rows; the LATERAL call parses one result natively and emits its rows. The window's
-- PARTITION BY repeats the student_id expression verbatim, so a qual on student_id is
-- pushed below it into the scan of the source table, where the expression index on
-- attempt_student_uuid(user_id) serves it.
--
-- The views read the recorded source table. Its id type decides how id and the
-- attempt_no tie-break are spelled (attempt_view_query()): the (uuid, bigint) overload for
-- a uuid id, the text form otherwise, and COLLATE "C" for a text id so the order does not
-- depend on the database's collation.
--
-- CREATE OR REPLACE VIEW keeps a view's identity: its grants, comment, membership and the
-- views built on it survive every change of shape (the columns never change).
--
-- Without a source to read (pending or detached: source.sql) the views have a placeholder
-- shape: the same columns, no rows. attempt_rejects.exam_result_id has the source id's
-- type; a pending install guesses uuid, and if the source it completes with has another,
-- attempt_rejects is re-created (attempt_lock_view_retype(), adopt.sql).
CREATE OR REPLACE FUNCTION @extschema@.attempt_views_apply(store_on pg_catalog.bool)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    cfg @extschema@.attempt_lock_config;
    id_type pg_catalog.text;
    attempt_query pg_catalog.text;
    rejects_query pg_catalog.text;
BEGIN
    SELECT * INTO cfg FROM @extschema@.attempt_lock_config;
    SELECT pg_catalog.format_type(a.atttypid, a.atttypmod) INTO id_type
      FROM pg_catalog.pg_attribute AS a WHERE a.attrelid = cfg.source_table AND a.attname = 'id';
    IF cfg.attached THEN
        attempt_query := @extschema@.attempt_view_query(CASE WHEN store_on THEN 'store' ELSE 'computed' END);
        rejects_query := @extschema@.attempt_rejects_query();
    ELSE
        SELECT 'SELECT ' || pg_catalog.string_agg(pg_catalog.format('NULL::%s AS %I', w.data_type, w.column_name), ', '
                                                  ORDER BY w."position") || ' WHERE false'
          INTO attempt_query FROM @extschema@.attempt_contract() AS w;
        rejects_query := pg_catalog.format(
            'SELECT NULL::%s AS exam_result_id, NULL::pg_catalog.int4 AS "position", NULL::pg_catalog.text AS question_id,'
            ' NULL::pg_catalog.text AS field, NULL::pg_catalog.text AS reason, NULL::pg_catalog.text AS action WHERE false',
            COALESCE(id_type, 'pg_catalog.uuid'));
    END IF;
    EXECUTE 'CREATE OR REPLACE VIEW @extschema@.attempt WITH (security_invoker = true) AS ' || attempt_query;
    IF (SELECT pg_catalog.format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute AS a
         WHERE a.attrelid = pg_catalog.to_regclass('@extschema@.attempt_rejects') AND a.attname = 'exam_result_id')
       <> COALESCE(id_type, 'uuid') THEN
        PERFORM @extschema@.attempt_lock_view_retype('@extschema@.attempt_rejects'::pg_catalog.regclass, rejects_query);
    ELSE
        EXECUTE 'CREATE OR REPLACE VIEW @extschema@.attempt_rejects WITH (security_invoker = true) AS ' || rejects_query;
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_views_apply(pg_catalog.bool) IS
'attempt_lock internal: creates or replaces the views attempt and attempt_rejects: computed on every query, attempt read from the incremental store, or (no source to read) the columns without rows. Runs only where the lock lets it: the install and update scripts and the maintenance functions.';
REVOKE ALL ON FUNCTION @extschema@.attempt_views_apply(pg_catalog.bool) FROM PUBLIC;
