"""Counter flow (recalls, transfers, transfer to a named counter) and staff tokens.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from assistant.store.models import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("recalls", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("transfers", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("target_counter_id", sa.String(40)))
    op.create_index("ix_tickets_day_called", "tickets", ["business_date", "called_at"])
    op.create_table(
        "staff_tokens",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("name", sa.String(80), nullable=False, server_default=""),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("revoked_at", UtcDateTime()),
    )


def downgrade() -> None:
    op.drop_table("staff_tokens")
    op.drop_index("ix_tickets_day_called", table_name="tickets")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("target_counter_id")
        batch.drop_column("transfers")
        batch.drop_column("recalls")
