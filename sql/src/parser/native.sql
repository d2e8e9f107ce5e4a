-- The native parser behind both views (src/elements.rs, src/view_functions.rs) and the
-- attempt_no aggregate (src/attempt_no.rs). One parser reads the questions for attempt and
-- says for attempt_rejects what it dropped or defaulted and why, so the two views agree by
-- construction; view_contract checks both against an independent SQL reference.

-- The result-level rules of SPEC.md §5 (a NULL id, a NULL or blank user_id, no usable
-- completed_at): both views and the store keep a result only if this is true.
CREATE OR REPLACE FUNCTION @extschema@.attempt_result_kept(
    id_is_null   pg_catalog.bool,
    user_id      pg_catalog.text,
    completed_at pg_catalog.timestamptz)
RETURNS pg_catalog.bool
LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'attempt_result_kept';
COMMENT ON FUNCTION @extschema@.attempt_result_kept(pg_catalog.bool, pg_catalog.text, pg_catalog.timestamptz) IS
'attempt_lock internal: true when an exam result (is its id NULL, its user_id, COALESCE(updated_at, created_at)) passes the result-level rules of docs/SPEC.md section 5. Not a public API.';

CREATE OR REPLACE FUNCTION @extschema@.attempt_element_rejects(
    result_json  pg_catalog.jsonb,
    id_is_null   pg_catalog.bool,
    user_id      pg_catalog.text,
    completed_at pg_catalog.timestamptz)
RETURNS TABLE (
    "position"  pg_catalog.int4,
    question_id pg_catalog.text,
    field       pg_catalog.text,
    reason      pg_catalog.text,
    action      pg_catalog.text)
LANGUAGE c IMMUTABLE PARALLEL SAFE ROWS 1
AS 'MODULE_PATHNAME', 'attempt_element_rejects';
COMMENT ON FUNCTION @extschema@.attempt_element_rejects(pg_catalog.jsonb, pg_catalog.bool, pg_catalog.text, pg_catalog.timestamptz) IS
'attempt_lock internal: the rows of attempt_rejects for one exam result (result_json, is its id NULL, user_id, completed_at): each element dropped with its first reason, each field of a kept element defaulted, one questions row when there is no questions array. Not a public API.';

CREATE OR REPLACE FUNCTION @extschema@.attempt_elements(
    result_json jsonb,
    attempt_nos integer[],
    peer        bigint)
RETURNS TABLE (
    "position"       integer,
    item_id          bigint,
    correct          boolean,
    response_time_ms integer,
    hint_used        boolean,
    topic_id         text,
    attempt_no       integer)
LANGUAGE c IMMUTABLE PARALLEL SAFE ROWS 20
AS 'MODULE_PATHNAME', 'attempt_elements';

COMMENT ON FUNCTION @extschema@.attempt_elements(jsonb, integer[], bigint) IS
'attempt_lock internal: the kept questions[] elements of one exam result with their attempt values (docs/SPEC.md sections 3 and 5); attempt_no comes from attempt_no_counts() over the student''s results (NULL without it). Not a public API.';

CREATE OR REPLACE FUNCTION @extschema@.attempt_no_counts_transition(internal, jsonb)
RETURNS internal
LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'attempt_no_counts_transition';

COMMENT ON FUNCTION @extschema@.attempt_no_counts_transition(internal, jsonb) IS
'attempt_lock internal: transition function of attempt_no_counts(jsonb).';

CREATE OR REPLACE FUNCTION @extschema@.attempt_no_counts_final(internal)
RETURNS integer[]
LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'attempt_no_counts_final';

COMMENT ON FUNCTION @extschema@.attempt_no_counts_final(internal) IS
'attempt_lock internal: final function of attempt_no_counts(jsonb).';

-- Run as a window over one student's results ordered by (completed_at, id): the final
-- function only reads the state (a repeat call returns the same numbers). Its state lives
-- in the aggregate's memory context (src/context_vec.rs). PARALLEL SAFE: nothing in it
-- depends on the backend it runs in, so a query on attempt may scan in parallel workers
-- (the window itself runs above the Gather).
CREATE OR REPLACE AGGREGATE @extschema@.attempt_no_counts(jsonb) (
    SFUNC = @extschema@.attempt_no_counts_transition,
    STYPE = internal,
    FINALFUNC = @extschema@.attempt_no_counts_final,
    FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE);

COMMENT ON AGGREGATE @extschema@.attempt_no_counts(jsonb) IS
'attempt_lock internal: as a window over a student''s results in (completed_at, id) order, the attempt_no of every kept element of the current results (a student''s attempts at an item counted over earlier results). Not a public API.';

