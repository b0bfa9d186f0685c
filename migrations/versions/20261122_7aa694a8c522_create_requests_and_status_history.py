"""Create the rights-request tables: requests and their append-only status history.

Revision ID: 7aa694a8c522
Revises:
Create Date: 2026-11-22 03:38:25

Self-contained on purpose (no import of tracking.models): a revision must keep creating the same
schema even after the models move on. Timestamps are `timestamptz` on PostgreSQL and UTC text on
SQLite (tracking.models.UTCDateTime puts the zone back); statuses are VARCHAR + CHECK, not a
native enum, so SQLite and PostgreSQL share the schema.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "7aa694a8c522"
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

STATUSES = ("received", "identity_requested", "in_progress", "extended", "completed", "rejected", "cancelled")


def _status(name: str) -> sa.Enum:
    return sa.Enum(*STATUSES, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.create_table(
        "requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("organization", sa.String(length=64), nullable=False),
        sa.Column("right", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("status", _status("status"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("extended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("extension_reason", sa.Text(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requests")),
        sa.UniqueConstraint("reference", name=op.f("uq_requests_reference")),
    )
    op.create_index(op.f("ix_requests_due_at"), "requests", ["due_at"])
    op.create_index(op.f("ix_requests_organization"), "requests", ["organization"])
    op.create_index(op.f("ix_requests_status"), "requests", ["status"])

    op.create_table(
        "status_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("from_status", _status("from_status"), nullable=True),
        sa.Column("to_status", _status("to_status"), nullable=False),
        sa.Column("by", sa.String(length=100), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["request_id"], ["requests.id"], name=op.f("fk_status_history_request_id_requests")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_history")),
    )
    op.create_index(op.f("ix_status_history_request_id"), "status_history", ["request_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_status_history_request_id"), table_name="status_history")
    op.drop_table("status_history")
    op.drop_index(op.f("ix_requests_status"), table_name="requests")
    op.drop_index(op.f("ix_requests_organization"), table_name="requests")
    op.drop_index(op.f("ix_requests_due_at"), table_name="requests")
    op.drop_table("requests")
