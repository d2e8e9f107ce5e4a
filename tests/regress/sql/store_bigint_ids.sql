-- The incremental store with a bigint id, negative and positive (numeric order, not text
-- order): random statements, compared with the on-the-fly definition after every round.
\set VERBOSITY default
\set SHOW_CONTEXT never
SET client_min_messages = warning;
CREATE TABLE exam_results (
    id bigint PRIMARY KEY,
    user_id text,
    session_id text,
    created_at timestamptz,
    updated_at timestamptz,
    result_json jsonb
);
\set id_kind bigint
\i tests/regress/fixtures/store_id_rounds.sql
