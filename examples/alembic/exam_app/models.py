"""The exam platform's own tables, as SQLAlchemy metadata.

Alembic's autogenerate compares this metadata with the database: exam_results is the
application's table (revision 20251021_1010 creates it). The view attempt and everything
the attempt_lock extension installs are not here: the view is SQL in the migrations, and
the extension's objects are the extension's (migrations/env.py keeps autogenerate off them).
"""
from sqlalchemy import Column, DateTime, MetaData, Table, Text
from sqlalchemy.dialects.postgresql import JSONB, UUID

metadata = MetaData()

# One row per exam taken; the answers are in result_json->'questions'. The columns and
# types are the ones attempt_lock's source contract accepts (docs/SPEC.md, section 2).
exam_results = Table(
    "exam_results",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("user_id", Text),
    Column("session_id", Text),
    Column("created_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True)),
    Column("result_json", JSONB),
)
