"""Progressive sign-in delays instead of a lockout: failed attempts per attempted username.

Revision ID: d8f3b6a1c2e9
Revises: c5e2a9d4f7b1
Create Date: 2026-12-03 10:00:00

Self-contained like the earlier revisions: no import of tracking.models. The old lockout columns
(staff_users.failed_logins, locked_until) stay, unused, so a downgrade loses nothing.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "d8f3b6a1c2e9"
down_revision: Union[str, Sequence[str], None] = "c5e2a9d4f7b1"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "sign_in_throttle",
        sa.Column("username_hash", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("username_hash", name="pk_sign_in_throttle"),
    )
    op.create_index("ix_sign_in_throttle_last_failure_at", "sign_in_throttle", ["last_failure_at"])
    # Accounts locked by the old rule are released: the delays take over from here.
    staff_users = sa.table("staff_users", sa.column("failed_logins", sa.Integer()),
                           sa.column("locked_until", sa.DateTime(timezone=True)))
    op.execute(staff_users.update().values(failed_logins=0, locked_until=None))


def downgrade() -> None:
    op.drop_index("ix_sign_in_throttle_last_failure_at", table_name="sign_in_throttle")
    op.drop_table("sign_in_throttle")
