"""Staff scoped to organisations, an administrator role, the audit log, and when an e-mail was verified.

Revision ID: c5e2a9d4f7b1
Revises: b3c1f0d2e4a7
Create Date: 2026-12-03 09:00:00

Self-contained like the earlier revisions: no import of tracking.models.

Accounts that exist before this revision had full access: they become administrators, so nobody
loses access (README: narrow one with `python -m tracking set-organizations NAME --org SLUG`).
New accounts are not administrators unless created so.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "c5e2a9d4f7b1"
down_revision: Union[str, Sequence[str], None] = "b3c1f0d2e4a7"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

ACTIONS = ("sign_in", "sign_out", "sign_in_failed", "view_request", "change_status", "export", "search",
           "manage_account", "cli")


def upgrade() -> None:
    # Plain ADD COLUMN (not batch): SQLite adds a column in place, so no table is copied.
    op.add_column("staff_users", sa.Column("is_admin", sa.Boolean(), nullable=False, server_default=sa.false()))
    staff_users = sa.table("staff_users", sa.column("is_admin", sa.Boolean()))
    op.execute(staff_users.update().values(is_admin=True))
    op.add_column("requests", sa.Column("email_verified_at", sa.DateTime(timezone=True), nullable=True))

    op.create_table(
        "staff_organizations",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organization", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["staff_users.id"], name="fk_staff_organizations_user_id_staff_users"),
        sa.PrimaryKeyConstraint("user_id", "organization", name="pk_staff_organizations"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.Enum(*ACTIONS, name="action", native_enum=False, create_constraint=True, length=32),
                  nullable=False),
        sa.Column("organization", sa.String(length=64), nullable=True),
        sa.Column("reference", sa.String(length=16), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_actor", "audit_log", ["actor"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_actor", table_name="audit_log")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("staff_organizations")
    # Plain DROP COLUMN (SQLite 3.35+ has it): copying the tables would trip over their foreign keys.
    op.drop_column("requests", "email_verified_at")
    op.drop_column("staff_users", "is_admin")
