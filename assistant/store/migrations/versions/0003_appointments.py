"""Appointments and the seats they hold in a slot.

The primary key of appointment_seats (service_id, starts_at, seat) is what
keeps two bookings off one seat, whatever the number of hub workers.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from assistant.store.models import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "appointments",
        sa.Column("code", sa.String(8), primary_key=True),
        sa.Column("service_id", sa.String(40), nullable=False),
        sa.Column("starts_at", UtcDateTime(), nullable=False),
        sa.Column("ends_at", UtcDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("name", sa.String(80)),
        sa.Column("phone", sa.String(32)),
        sa.Column("ticket_id", sa.String(32)),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_appointments_slot", "appointments", ["service_id", "starts_at"])
    op.create_table(
        "appointment_seats",
        sa.Column("service_id", sa.String(40), primary_key=True),
        sa.Column("starts_at", UtcDateTime(), primary_key=True),
        sa.Column("seat", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column(
            "appointment_code",
            sa.String(8),
            sa.ForeignKey("appointments.code", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.CheckConstraint("seat >= 1", name="ck_appointment_seats_seat"),
    )
    op.create_index("ix_appointment_seats_code", "appointment_seats", ["appointment_code"])


def downgrade() -> None:
    op.drop_index("ix_appointment_seats_code", table_name="appointment_seats")
    op.drop_table("appointment_seats")
    op.drop_index("ix_appointments_slot", table_name="appointments")
    op.drop_table("appointments")
