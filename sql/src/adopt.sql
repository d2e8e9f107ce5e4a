-- Replacing a view whose columns change, keeping what hangs on it: its owner, comment,
-- options, grants and extension membership.

-- CREATE OR REPLACE VIEW cannot change a column's type: the view is dropped and created
-- again under the same name. Used when a pending install completes with a source whose id
-- is not the uuid it guessed (attempt_rejects.exam_result_id has the source id's type).
CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_view_retype(target pg_catalog.regclass, query pg_catalog.text)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    name pg_catalog.text := target::pg_catalog.text;
    old pg_catalog.pg_class;
    remark pg_catalog.text := pg_catalog.obj_description(target, 'pg_class');
    member pg_catalog.bool;
    grant_sql pg_catalog.text;
    dependents pg_catalog.text;
BEGIN
    SELECT * INTO STRICT old FROM pg_catalog.pg_class AS c WHERE c.oid = target;
    SELECT pg_catalog.string_agg(DISTINCT r.ev_class::pg_catalog.regclass::pg_catalog.text, ', ')
      INTO dependents
      FROM pg_catalog.pg_depend AS d
      JOIN pg_catalog.pg_rewrite AS r ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d.objid = r.oid
     WHERE d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid = target AND r.ev_class <> target;
    IF dependents IS NOT NULL THEN
        RAISE EXCEPTION 'attempt_lock: the columns of % change type, and views depend on it: %', name, dependents
              USING ERRCODE = 'dependent_objects_still_exist',
                    HINT = 'Drop those views, SELECT attempt_source_attach(); then create them again.';
    END IF;
    member := EXISTS (SELECT FROM pg_catalog.pg_depend AS d
                       WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = target
                         AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.deptype = 'e');
    SELECT pg_catalog.string_agg(pg_catalog.format('GRANT %s ON %s TO %s%s', a.privilege_type, name,
               CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(a.grantee)) END,
               CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END), '; ')
      INTO grant_sql
      FROM pg_catalog.aclexplode(old.relacl) AS a
     WHERE a.grantee <> old.relowner;
    -- Outside a script (the maintenance functions) a member is detached before it is
    -- dropped, and joins again once created.
    IF member THEN
        EXECUTE pg_catalog.format('ALTER EXTENSION attempt_lock DROP VIEW %s', name);
    END IF;
    EXECUTE pg_catalog.format('DROP VIEW %s', name);
    EXECUTE pg_catalog.format('CREATE VIEW %s WITH (%s) AS %s', name,
                              pg_catalog.array_to_string(old.reloptions, ', '), query);
    IF member THEN
        EXECUTE pg_catalog.format('ALTER EXTENSION attempt_lock ADD VIEW %s', name);
    END IF;
    EXECUTE pg_catalog.format('ALTER VIEW %s OWNER TO %I', name, pg_catalog.pg_get_userbyid(old.relowner));
    EXECUTE pg_catalog.format('COMMENT ON VIEW %s IS %L', name, remark);
    IF grant_sql IS NOT NULL THEN
        EXECUTE grant_sql;
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_view_retype(pg_catalog.regclass, pg_catalog.text) IS
'attempt_lock internal: re-creates a view with a query whose column types differ, keeping its owner, comment, options, grants and extension membership. Not a public API.';
REVOKE ALL ON FUNCTION @extschema@.attempt_lock_view_retype(pg_catalog.regclass, pg_catalog.text) FROM PUBLIC;
