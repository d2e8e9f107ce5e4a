"""Create exam_results

The application's base table: one row per exam taken, the answers in
result_json->'questions'. Its columns are exam_app.models.exam_results (autogenerate
compares them).

Revision ID: 20251021_1010
Revises:
Create Date: 2025-10-21 10:10:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "20251021_1010"
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "exam_results",
        sa.Column("id", postgresql.UUID(as_uuid=True), primary_key=True),
        sa.Column("user_id", sa.Text()),
        sa.Column("session_id", sa.Text()),
        sa.Column("created_at", sa.DateTime(timezone=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True)),
        sa.Column("result_json", postgresql.JSONB()),
    )


def downgrade() -> None:
    op.drop_table("exam_results")
