"""Manager dashboard: routing decisions, ratings, staff actions, service alerts.

All four tables are new; nothing existing changes. The partial unique index on
service_alerts (one open alert per service) is what lets several hub processes
raise a `service.alert` at most once per crossing.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from assistant.store.models import UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

OPEN = sa.text("cleared_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "routing_decisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("business_date", sa.Date, nullable=False),
        sa.Column("intent", sa.String(64), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("service_id", sa.String(40)),
        sa.Column("device_id", sa.String(40)),
    )
    op.create_index("ix_routing_decisions_day", "routing_decisions", ["business_date"])
    op.create_table(
        "ratings",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("ticket_id", sa.String(32), unique=True),
        sa.Column("score", sa.Integer, nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("comment", sa.String(500)),
        sa.Column("service_id", sa.String(40)),
        sa.Column("counter_id", sa.String(40)),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("business_date", sa.Date, nullable=False),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name="ck_ratings_score"),
    )
    op.create_index("ix_ratings_day", "ratings", ["business_date"])
    op.create_table(
        "staff_actions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ticket_id", sa.String(32), nullable=False),
        sa.Column("counter_id", sa.String(40), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("token_id", sa.String(32), nullable=False),
        sa.Column("staff_name", sa.String(80), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_staff_actions_ticket", "staff_actions", ["ticket_id", "at"])
    op.create_table(
        "service_alerts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("service_id", sa.String(40), nullable=False),
        sa.Column("crossed_at", UtcDateTime(), nullable=False),
        sa.Column("business_date", sa.Date, nullable=False),
        sa.Column("longest_wait_seconds", sa.Integer, nullable=False),
        sa.Column("target_minutes", sa.Float, nullable=False),
        sa.Column("cleared_at", UtcDateTime()),
    )
    op.create_index(
        "uq_service_alerts_open",
        "service_alerts",
        ["service_id"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )
    op.create_index("ix_service_alerts_day", "service_alerts", ["business_date"])


def downgrade() -> None:
    op.drop_index("ix_service_alerts_day", table_name="service_alerts")
    op.drop_index("uq_service_alerts_open", table_name="service_alerts")
    op.drop_table("service_alerts")
    op.drop_index("ix_staff_actions_ticket", table_name="staff_actions")
    op.drop_table("staff_actions")
    op.drop_index("ix_ratings_day", table_name="ratings")
    op.drop_table("ratings")
    op.drop_index("ix_routing_decisions_day", table_name="routing_decisions")
    op.drop_table("routing_decisions")
