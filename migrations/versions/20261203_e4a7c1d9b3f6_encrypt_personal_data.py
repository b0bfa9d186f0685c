"""Requesters' names, e-mails and descriptions encrypted at rest, with a keyed hash of the e-mail.

Revision ID: e4a7c1d9b3f6
Revises: d8f3b6a1c2e9
Create Date: 2026-12-03 11:00:00

Adds the ciphertext columns and the e-mail hash, encrypts every existing row with the current key
(tracking.encryption: TRACKING_ENCRYPTION_KEYS, else var/secrets/data-encryption.key, created if
missing), then drops the clear columns. The downgrade decrypts them back. Uses the encryption module
(not tracking.models): the ciphertext format is the one the application reads.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from tracking import encryption

revision: str = "e4a7c1d9b3f6"
down_revision: Union[str, Sequence[str], None] = "d8f3b6a1c2e9"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

FIELDS = ("name", "email", "description")
CLEAR_TYPES = {"name": sa.String(length=200), "email": sa.String(length=254), "description": sa.Text()}


def upgrade() -> None:
    for field in FIELDS:
        op.add_column("requests", sa.Column(f"{field}_encrypted", sa.Text(), nullable=True))
    op.add_column("requests", sa.Column("email_hash", sa.String(length=64), nullable=True))
    op.create_index("ix_requests_email_hash", "requests", ["email_hash"])
    connection = op.get_bind()
    clear = sa.table("requests", sa.column("id"), *(sa.column(field) for field in FIELDS))
    sealed = sa.table("requests", sa.column("id"), sa.column("email_hash"),
                      *(sa.column(f"{field}_encrypted") for field in FIELDS))
    for row in connection.execute(sa.select(clear)).mappings().all():
        values = {f"{field}_encrypted": encryption.encrypt(row[field] or "", field) for field in FIELDS}
        connection.execute(sealed.update().where(sealed.c.id == row["id"])
                           .values(email_hash=encryption.email_hash(row["email"] or ""), **values))
    for field in FIELDS:  # plain DROP COLUMN (SQLite 3.35+): no table copy under the foreign keys
        op.drop_column("requests", field)


def downgrade() -> None:
    for field in FIELDS:
        op.add_column("requests", sa.Column(field, CLEAR_TYPES[field], nullable=True))
    connection = op.get_bind()
    sealed = sa.table("requests", sa.column("id"), *(sa.column(f"{field}_encrypted") for field in FIELDS))
    clear = sa.table("requests", sa.column("id"), *(sa.column(field) for field in FIELDS))
    for row in connection.execute(sa.select(sealed)).mappings().all():
        connection.execute(clear.update().where(clear.c.id == row["id"]).values(
            **{field: encryption.decrypt(row[f"{field}_encrypted"], field) for field in FIELDS}))
    op.drop_index("ix_requests_email_hash", table_name="requests")
    op.drop_column("requests", "email_hash")
    for field in FIELDS:
        op.drop_column("requests", f"{field}_encrypted")
