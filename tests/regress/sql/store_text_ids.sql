-- needs: icu
-- The incremental store with a text id in an ICU collation, whose order differs from the
-- "C" order of the view's tie-break: random statements, compared with the on-the-fly
-- definition after every round.
\set VERBOSITY default
\set SHOW_CONTEXT never
SET client_min_messages = warning;
CREATE TABLE exam_results (
    id text COLLATE "und-x-icu" PRIMARY KEY,
    user_id text,
    session_id text,
    created_at timestamptz,
    updated_at timestamptz,
    result_json jsonb
);
\set id_kind text
\i tests/regress/fixtures/store_id_rounds.sql
