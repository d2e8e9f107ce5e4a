-- The end of the install script: its history row, then the lock's baseline (last).
INSERT INTO @extschema@.attempt_lock_history (version, action)
SELECT e.extversion, 'install' FROM pg_catalog.pg_extension AS e WHERE e.extname = 'attempt_lock';

SELECT @extschema@.attempt_lock_record_state();
