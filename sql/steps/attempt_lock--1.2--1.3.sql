-- 1.2 -> 1.3 (CHANGELOG.md): one native parser for both views; health's checks by concern.

-- attempt_rejects from the native parser; attempt keeps its rows, with the result-level
-- rules read natively (the view is replaced in the shape it has, computed or store).
--@include parser/native.sql
--@include view/query.sql
--@include view/views.sql
DROP FUNCTION @extschema@.attempt_questions(jsonb, text, timestamptz, boolean);
DROP FUNCTION @extschema@.attempt_view_query(pg_catalog.bool);
--@include lock/guard_objects.sql
--@include store/rows.sql
--@include store/switch.sql
--@include store/status.sql

--@include health/checks_install.sql
--@include health/checks_lock.sql
--@include health/checks_data.sql
--@include health/checks_access.sql
--@include health/checks_store.sql
--@include health/health.sql

--@include finish/update.sql
