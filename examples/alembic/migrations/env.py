"""Alembic environment of the exam platform (examples/alembic/README.md).

The database is DATABASE_URL (SQLAlchemy with the psycopg 3 driver, exam_app/db.py); the
application's tables are exam_app.models.metadata, which `alembic revision --autogenerate`
and `alembic check` compare with the database.

Since revision 20261203_0900 the database also holds the attempt_lock extension: its
tables (attempt_lock_config, attempt_lock_history, attempt_lock_state,
attempt_lock_override_log; with the incremental store on, the schema attempt_lock_store
and its tables) are not in the metadata, so autogenerate would propose dropping them.
They are the extension's: CREATE EXTENSION made them, ALTER EXTENSION ... UPDATE changes
them, and its lock refuses a DROP of any of them. The filters below leave them out.
"""
from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool, text

from exam_app.db import database_url
from exam_app.models import metadata

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)

target_metadata = metadata

# Which relations and schemas belong to an extension, asked of the database rather than
# listed by name: a member is recorded in pg_depend with deptype 'e', the very record
# DROP EXTENSION follows. A list of names would go stale (the store's schema and tables
# come and go with attempt_store_enable()/attempt_store_disable(), a later release may add
# a table) and a name prefix could hide a table of the application's own. This also keeps
# autogenerate off other extensions' tables (postgis's spatial_ref_sys, say).
EXTENSION_RELATIONS = text("""
    SELECT n.nspname, c.relname
      FROM pg_catalog.pg_depend AS d
      JOIN pg_catalog.pg_class AS c ON c.oid = d.objid
      JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
     WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
       AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
       AND d.deptype = 'e'
""")
EXTENSION_SCHEMAS = text("""
    SELECT n.nspname
      FROM pg_catalog.pg_depend AS d
      JOIN pg_catalog.pg_namespace AS n ON n.oid = d.objid
     WHERE d.classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass
       AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
       AND d.deptype = 'e'
""")


def extension_filters(connection):
    """include_name and include_object for context.configure: they leave out every
    relation and schema that is a member of an extension."""
    relations = {(schema, name) for schema, name in connection.execute(EXTENSION_RELATIONS)}
    schemas = set(connection.execute(EXTENSION_SCHEMAS).scalars())
    # Alembic names the default schema None.
    default_schema = connection.dialect.default_schema_name

    def include_name(name, type_, parent_names):
        # Called for schemas (include_schemas=True), before anything in them is reflected:
        # the only hook that sees a schema, such as attempt_lock_store.
        if type_ == "schema":
            return name not in schemas
        return True

    def include_object(object_, name, type_, reflected, compare_to):
        # Tables and indexes found in the database that are extension members. A table
        # left out takes its columns, constraints and indexes with it. Views are never
        # compared by autogenerate (attempt and the views built on it are SQL in the
        # revisions).
        if not reflected:
            return True
        if type_ == "table":
            return (object_.schema or default_schema, name) not in relations
        if type_ == "index":
            return (object_.table.schema or default_schema, name) not in relations
        return True

    return include_name, include_object


def run_migrations_offline() -> None:
    """`alembic upgrade --sql`: the SQL, printed, for review (revision 20261203_0900's
    downgrade reads the database, so it runs online only)."""
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_engine(database_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        include_name, include_object = extension_filters(connection)
        # End the transaction that reading the catalogs began, so that the migrations run
        # in a transaction of Alembic's own (which commits).
        connection.commit()
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            # every schema, as an application with several would compare them; the
            # extension's are left out by include_name
            include_schemas=True,
            include_name=include_name,
            include_object=include_object,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
