"""Initial schema: tickets, numbering sequences, counters, devices.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from assistant.store.models import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tickets",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("number", sa.String(12), nullable=False),
        sa.Column("service_id", sa.String(40), nullable=False),
        sa.Column("business_date", sa.Date, nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("issued_at", UtcDateTime(), nullable=False),
        sa.Column("intent", sa.String(64)),
        sa.Column("appointment_code", sa.String(16)),
        sa.Column("idempotency_key", sa.String(128), unique=True),
        sa.Column("counter_id", sa.String(40)),
        sa.Column("called_at", UtcDateTime()),
        sa.Column("started_at", UtcDateTime()),
        sa.Column("finished_at", UtcDateTime()),
        sa.Column("outcome", sa.String(40)),
        sa.UniqueConstraint("business_date", "number", name="uq_tickets_day_number"),
    )
    op.create_index("ix_tickets_waiting", "tickets", ["status", "service_id", "issued_at"])
    op.create_table(
        "ticket_sequences",
        sa.Column("prefix", sa.String(8), primary_key=True),
        sa.Column("business_date", sa.Date, primary_key=True),
        sa.Column("last_value", sa.Integer, nullable=False),
    )
    op.create_table(
        "counters",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("current_ticket_id", sa.String(32)),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "devices",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("detail", sa.String(200), nullable=False, server_default=""),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("devices")
    op.drop_table("counters")
    op.drop_table("ticket_sequences")
    op.drop_index("ix_tickets_waiting", table_name="tickets")
    op.drop_table("tickets")
