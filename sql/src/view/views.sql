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
CREATE OR REPLACE FUNCTION @extschema@.attempt_views_apply(store_on pg_catalog.bool)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    EXECUTE 'CREATE OR REPLACE VIEW @extschema@.attempt WITH (security_invoker = true) AS '
            || @extschema@.attempt_view_query(CASE WHEN store_on THEN 'store' ELSE 'computed' END);
    EXECUTE 'CREATE OR REPLACE VIEW @extschema@.attempt_rejects WITH (security_invoker = true) AS '
            || @extschema@.attempt_rejects_query();
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_views_apply(pg_catalog.bool) IS
'attempt_lock internal: creates or replaces the views attempt and attempt_rejects, attempt computed on every query or read from the incremental store. Runs only where the lock lets it: the install and update scripts and the store''s switch.';
REVOKE ALL ON FUNCTION @extschema@.attempt_views_apply(pg_catalog.bool) FROM PUBLIC;

SELECT @extschema@.attempt_views_apply(pg_catalog.to_regclass('attempt_lock_store.attempt_store') IS NOT NULL);

COMMENT ON VIEW @extschema@.attempt IS
'attempt V1 (attempt_lock): one row per answered question of exam_results. Columns, types and values are locked for every 1.x release; see docs/SPEC.md. id is a 64-bit hash: unique as far as such a hash allows (about n^2/2^65 collision probability), attempt_health() reports duplicates.';

COMMENT ON VIEW @extschema@.attempt_rejects IS
'attempt_lock: every questions[] element dropped from attempt (action dropped, with the first reason) and every optional field defaulted as missing (action defaulted, one row per field). position is 0-based, NULL for a result whose questions is missing or not an array.';
