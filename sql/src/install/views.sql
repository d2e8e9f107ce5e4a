-- The install script's views, from the shapes of view/views.sql; a relation already named
-- attempt or attempt_rejects is refused, or adopted (adopt.sql).
SELECT @extschema@.attempt_lock_adopt_begin();
SELECT @extschema@.attempt_views_apply(false);

COMMENT ON VIEW @extschema@.attempt IS
'attempt V1 (attempt_lock): one row per answered question of exam_results. Columns, types and values are locked for every 1.x release; see docs/SPEC.md. id is a 64-bit hash: unique as far as such a hash allows (about n^2/2^65 collision probability), attempt_health() reports duplicates.';

COMMENT ON VIEW @extschema@.attempt_rejects IS
'attempt_lock: every questions[] element dropped from attempt (action dropped, with the first reason) and every optional field defaulted as missing (action defaulted, one row per field). position is 0-based, NULL for a result whose questions is missing or not an array.';

SELECT @extschema@.attempt_lock_adopt_finish();
