-- The end of every update step: its history row, then the lock's baseline (last). A step
-- runs with the new version already in pg_extension.
INSERT INTO @extschema@.attempt_lock_history (version, action)
SELECT e.extversion, 'update' FROM pg_catalog.pg_extension AS e WHERE e.extname = 'attempt_lock';

SELECT @extschema@.attempt_lock_record_state();
