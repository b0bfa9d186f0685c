"""Idempotent submissions: a unique hash of the caller's idempotency key on each request.

Revision ID: f2b9d4e6a8c1
Revises: e4a7c1d9b3f6
Create Date: 2026-12-03 12:00:00

Self-contained: no import of tracking.models. Existing requests have none (NULLs do not collide).
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "f2b9d4e6a8c1"
down_revision: Union[str, Sequence[str], None] = "e4a7c1d9b3f6"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # A unique index rather than a constraint: SQLite adds one to an existing table without copying it.
    op.add_column("requests", sa.Column("idempotency_key", sa.String(length=64), nullable=True))
    op.create_index("uq_requests_idempotency_key", "requests", ["idempotency_key"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_requests_idempotency_key", table_name="requests")
    op.drop_column("requests", "idempotency_key")
