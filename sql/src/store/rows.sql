-- The incremental store, part 1: what it is, and the rows of one exam result.

-- The opt-in incremental store (docs/OPERATIONS.md, "The incremental store").
--
-- What it is: a table that holds the rows of `attempt`, kept exact by statement-level
-- triggers on the source table, and a switch that makes `attempt` read it.
--
--   attempt_store_enable(batch_size)  creates the store (schema attempt_lock_store),
--                                     backfills it, creates the triggers, and replaces
--                                     the view attempt by its store shape
--   attempt_store_disable()           restores the view's on-the-fly shape, drops the
--                                     triggers and the store
--   attempt_store_status()            on/off, rows, when and how it was filled, last write
--   attempt_store_sync_problems(...)  what attempt_health() calls: rows that differ
--                                     between the store and the on-the-fly definition
--
-- Every DDL statement of the switch runs inside one call of attempt_store_switch_on() or
-- attempt_store_switch_off(), the SQL bodies of attempt_store_enable()/disable(). Those two
-- are native: they raise, for the length of the call, the flag that makes
-- attempt_lock_in_script() true (src/lock/store_switch.rs). Called directly, the bodies
-- meet the lock like any DDL.
--
-- Security (docs/SECURITY.md): the store lives in the schema attempt_lock_store,
-- on which nobody but its owner has USAGE, so no role can name it; the view, which is
-- security_invoker, reads it (SELECT is granted to PUBLIC on the table itself, useless
-- without USAGE) and semi-joins every row to its source row in exam_results, reading the
-- six source columns: the caller's table and column privileges on exam_results are checked
-- on every query, and its row-level security policies filter the store's rows exactly as
-- they filter the on-the-fly view.

-- The rows of one exam result: the one place where the store calls the element parser.
-- Inlined into its caller (LANGUAGE sql, not STRICT, no SET, BEGIN ATOMIC): the backfill
-- and the triggers call it once per source row.
CREATE OR REPLACE FUNCTION @extschema@.attempt_store_rows(
    result_id    pg_catalog.text,
    user_id      pg_catalog.text,
    session_id   pg_catalog.text,
    completed_at pg_catalog.timestamptz,
    result_json  pg_catalog.jsonb)
RETURNS TABLE (
    id               pg_catalog.int8,
    student_id       pg_catalog.uuid,
    item_id          pg_catalog.int8,
    correct          pg_catalog.bool,
    response_time_ms pg_catalog.int4,
    hint_used        pg_catalog.bool,
    completed_at     pg_catalog.timestamptz,
    started_at       pg_catalog.timestamptz,
    session_id       pg_catalog.text,
    topic_id         pg_catalog.text,
    "position"       pg_catalog.int4)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
SELECT
    -- attempt_id(uuid, bigint) is attempt_id(a::text, b::text) (SPEC.md §4), so the text
    -- form serves every id type.
    @extschema@.attempt_id(attempt_store_rows.result_id, q.item_id::pg_catalog.text),
    @extschema@.attempt_student_uuid(attempt_store_rows.user_id),
    q.item_id,
    q.correct,
    q.response_time_ms,
    q.hint_used,
    attempt_store_rows.completed_at,
    attempt_store_rows.completed_at
      - q.response_time_ms::double precision * '00:00:00.001'::interval,
    attempt_store_rows.session_id,
    q.topic_id,
    q."position"
FROM @extschema@.attempt_elements(attempt_store_rows.result_json, NULL, NULL) AS q
-- The result-level rules of SPEC.md section 5, as the view applies them.
WHERE @extschema@.attempt_result_kept(attempt_store_rows.result_id IS NULL, attempt_store_rows.user_id,
                                      attempt_store_rows.completed_at);
END;
COMMENT ON FUNCTION @extschema@.attempt_store_rows(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.timestamptz, pg_catalog.jsonb) IS
'attempt_lock internal: the attempt rows of one exam result (result id as text, user_id, session_id, completed_at, result_json), with the element position and without attempt_no; the single parser call of the incremental store (backfill and triggers). Not a public API.';
