"""Smoke tests of the view attempt (the deployment guide's five, shared/seeds/001), run
after `alembic upgrade`: they hold for the plain view of revision 20251101_0900 and for
the attempt_lock V1 view that replaces it in revision 20261203_0900.

    DATABASE_URL=postgresql+psycopg://... pytest tests/test_attempt_view_smoke.py -v

A test that needs rows skips when attempt has none.
"""
import hashlib
import re
import uuid

import pytest
from sqlalchemy import text

# The V1 contract: name and type of each column, in order (docs/SPEC.md, section 3).
V1_COLUMNS = [
    ("id", "bigint"),
    ("student_id", "uuid"),
    ("item_id", "bigint"),
    ("correct", "boolean"),
    ("response_time_ms", "integer"),
    ("hint_used", "boolean"),
    ("completed_at", "timestamp with time zone"),
    ("started_at", "timestamp with time zone"),
    ("attempt_no", "integer"),
    ("session_id", "text"),
    ("topic_id", "text"),
]
REQUIRED = [name for name, _ in V1_COLUMNS if name not in ("session_id", "topic_id")]


def _columns(connection):
    return connection.execute(text("""
        SELECT column_name, data_type
          FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = 'attempt'
         ORDER BY ordinal_position""")).all()


def _require_rows(connection):
    if connection.execute(text("SELECT count(*) FROM (SELECT 1 FROM attempt LIMIT 1) a")).scalar() == 0:
        pytest.skip("attempt has no rows")


def test_attempt_view_columns_exist(connection):
    assert [name for name, _ in _columns(connection)] == [name for name, _ in V1_COLUMNS]


def test_attempt_view_select_minimal(connection):
    _require_rows(connection)
    row = connection.execute(text("SELECT * FROM attempt LIMIT 1")).mappings().one()
    assert list(row.keys()) == [name for name, _ in V1_COLUMNS]


def test_attempt_view_types(connection):
    assert [tuple(c) for c in _columns(connection)] == V1_COLUMNS


def _student_uuid(user_id: str) -> uuid.UUID:
    # CASE WHEN u ~* '^[0-9a-fA-F-]{36}$' THEN u::uuid ELSE md5(u)::uuid END
    if re.fullmatch(r"[0-9a-fA-F-]{36}", user_id):
        return uuid.UUID(user_id)
    return uuid.UUID(hashlib.md5(user_id.encode()).hexdigest())


def _attempt_id(result_id: str, question_id: str) -> int:
    # ('x' || substr(md5(a || '-' || b), 1, 16))::bit(64)::bigint
    digest = hashlib.md5(f"{result_id}-{question_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def test_attempt_view_student_id_determinism(connection):
    """The same user_id gives the same student_id, every time: each attempt row of a
    sample of results has the id and student_id that the formulas, computed here in
    Python from exam_results, say."""
    _require_rows(connection)
    sample = connection.execute(text("""
        SELECT er.id::text, er.user_id, e->>'question_id'
          FROM (SELECT * FROM exam_results
                 WHERE btrim(user_id) <> '' AND jsonb_typeof(result_json->'questions') = 'array'
                 ORDER BY id LIMIT 40) er,
               jsonb_array_elements(er.result_json->'questions') AS e
         WHERE e->>'question_id' ~ '^(0|[1-9][0-9]*)$'""")).all()
    assert sample
    expected = {_attempt_id(r, q): (_student_uuid(u), int(q)) for r, u, q in sample}
    found = dict(
        ((row.id, (row.student_id, row.item_id)) for row in connection.execute(
            text("SELECT id, student_id, item_id FROM attempt WHERE id = ANY(:ids)"),
            {"ids": list(expected)})))
    assert found == expected


def test_attempt_view_no_nulls_in_required_fields(connection):
    _require_rows(connection)
    condition = " OR ".join(f"{name} IS NULL" for name in REQUIRED)
    assert connection.execute(text(f"SELECT count(*) FROM attempt WHERE {condition}")).scalar() == 0
