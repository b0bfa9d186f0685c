"""The tables: rights requests, the append-only history of their status changes, staff accounts with the
organisations each may see, and the append-only audit log of what staff and operators did.

The schema itself is created and changed only by the Alembic revisions in `migrations/`; these
models must match them (tests/tracking/test_migrations.py compares the two).
"""
from __future__ import annotations

import enum
from datetime import datetime, timezone
from typing import List, Optional

from sqlalchemy import Boolean, Column, DateTime, Enum, ForeignKey, Index, Integer, MetaData, String, Text, event, false
from sqlalchemy.orm import ORMExecuteState, Session, declarative_base, relationship
from sqlalchemy.types import TypeDecorator

from tracking.encryption import EncryptedText

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING_CONVENTION)
Base = declarative_base(metadata=metadata)

# Column sizes, also enforced by the service's validation (SQLite does not enforce lengths).
REFERENCE_LENGTH = 16
ORGANIZATION_LENGTH = 64
RIGHT_LENGTH = 32
NAME_MAX_LENGTH = 200
EMAIL_MAX_LENGTH = 254  # RFC 5321 path limit
DESCRIPTION_MAX_LENGTH = 10_000
LANGUAGE_LENGTH = 8
CHANNEL_LENGTH = 32
BY_MAX_LENGTH = 100
USERNAME_MAX_LENGTH = 64
PASSWORD_HASH_LENGTH = 255
TOKEN_HASH_LENGTH = 64  # sha256 hex
EMAIL_HASH_LENGTH = 64  # HMAC-SHA256 hex
STATUS_LENGTH = 32  # room for statuses added later without altering the column
ACTOR_MAX_LENGTH = 100  # a username, or "cli:<login>"
ACTION_LENGTH = 32


class Status(str, enum.Enum):
    RECEIVED = "received"
    IDENTITY_REQUESTED = "identity_requested"  # the deadline clock is paused
    IN_PROGRESS = "in_progress"
    EXTENDED = "extended"  # two more months, GDPR art. 12(3)
    COMPLETED = "completed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class AuditAction(str, enum.Enum):
    """What an audit log row records: a closed set."""

    SIGN_IN = "sign_in"
    SIGN_OUT = "sign_out"
    SIGN_IN_FAILED = "sign_in_failed"
    VIEW_REQUEST = "view_request"
    CHANGE_STATUS = "change_status"
    EXPORT = "export"
    SEARCH = "search"
    MANAGE_ACCOUNT = "manage_account"
    CLI = "cli"  # another use of the command line (list, migrate, reading the audit log...)


def status_enum(column_name: str) -> Enum:
    """A portable enum column: VARCHAR plus a CHECK constraint named after the column.

    Not a native PostgreSQL ENUM, so the same schema works on SQLite and adding a status is a plain
    constraint change.
    """
    return _portable_enum(Status, column_name, STATUS_LENGTH)


def _portable_enum(values: type, column_name: str, length: int) -> Enum:
    return Enum(values, name=column_name, native_enum=False, create_constraint=True, length=length,
                values_callable=lambda members: [member.value for member in members], validate_strings=True)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp on every database.

    PostgreSQL stores `timestamptz`; SQLite has no time zones, so the value is stored as UTC and the
    zone is put back when read. Naive datetimes are refused rather than guessed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime: timestamps must be timezone-aware")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Optional[datetime], dialect) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Request(Base):
    __tablename__ = "requests"

    id = Column(Integer, primary_key=True)
    reference = Column(String(REFERENCE_LENGTH), nullable=False, unique=True)
    organization = Column(String(ORGANIZATION_LENGTH), nullable=False, index=True)
    right = Column(String(RIGHT_LENGTH), nullable=False)
    # Personal data encrypted at rest (tracking.encryption): the attributes read and take clear text, the
    # columns hold ciphertext; the e-mail is found by its keyed hash. Nullable only because SQLite cannot
    # add a NOT NULL column to a table with rows: the service always sets them.
    name = Column("name_encrypted", EncryptedText("name"), nullable=True)
    email = Column("email_encrypted", EncryptedText("email"), nullable=True)
    description = Column("description_encrypted", EncryptedText("description"), nullable=True, default="")
    email_hash = Column(String(EMAIL_HASH_LENGTH), nullable=True, index=True)
    language = Column(String(LANGUAGE_LENGTH), nullable=False)
    channel = Column(String(CHANNEL_LENGTH), nullable=True)
    status = Column(status_enum("status"), nullable=False, index=True)
    created_at = Column(UTCDateTime(), nullable=False)
    due_at = Column(UTCDateTime(), nullable=False, index=True)
    paused_at = Column(UTCDateTime(), nullable=True)  # set while the identity check pauses the clock
    extended_at = Column(UTCDateTime(), nullable=True)
    extension_reason = Column(Text, nullable=True)
    deleted_at = Column(UTCDateTime(), nullable=True)  # soft delete: the row and its history stay
    email_verified_at = Column(UTCDateTime(), nullable=True)  # when the requester proved the address theirs
    # SHA-256 of the caller's idempotency key (a conversation's confirmation): a retried submission
    # finds the request its first attempt filed instead of filing it twice.
    idempotency_key = Column(String(TOKEN_HASH_LENGTH), nullable=True)
    # Optimistic locking: two staff changing the same request at once cannot both win.
    version = Column(Integer, nullable=False, default=1)

    history: List["StatusChange"] = relationship(
        "StatusChange", back_populates="request", order_by="StatusChange.id", cascade="save-update, merge",
        lazy="selectin")

    __mapper_args__ = {"version_id_col": version}
    # A unique index (not a constraint): SQLite adds one to a table with rows without copying it.
    __table_args__ = (Index("uq_requests_idempotency_key", "idempotency_key", unique=True),)

    def __repr__(self) -> str:  # no personal data in reprs: they end up in logs and tracebacks
        return f"<Request {self.reference} {self.organization} {self.status}>"


class StatusChange(Base):
    """One row per status change; rows are never updated or deleted."""

    __tablename__ = "status_history"

    id = Column(Integer, primary_key=True)
    request_id = Column(Integer, ForeignKey("requests.id"), nullable=False, index=True)
    at = Column(UTCDateTime(), nullable=False)
    from_status = Column(status_enum("from_status"), nullable=True)  # None for the submission itself
    to_status = Column(status_enum("to_status"), nullable=False)
    by = Column(String(BY_MAX_LENGTH), nullable=False)
    note = Column(Text, nullable=True)

    request = relationship("Request", back_populates="history")

    def __repr__(self) -> str:
        return f"<StatusChange {self.from_status} -> {self.to_status} at {self.at}>"



class StaffUser(Base):
    """A staff member who may sign in to the console. Only an argon2 hash of the password is kept."""

    __tablename__ = "staff_users"

    id = Column(Integer, primary_key=True)
    username = Column(String(USERNAME_MAX_LENGTH), nullable=False, unique=True)
    password_hash = Column(String(PASSWORD_HASH_LENGTH), nullable=False)
    created_at = Column(UTCDateTime(), nullable=False)
    disabled_at = Column(UTCDateTime(), nullable=True)
    failed_logins = Column(Integer, nullable=False, default=0)
    locked_until = Column(UTCDateTime(), nullable=True)
    # An administrator sees every organisation's requests and manages accounts.
    is_admin = Column(Boolean, nullable=False, default=False, server_default=false())

    organizations: List["StaffOrganization"] = relationship(
        "StaffOrganization", cascade="all, delete-orphan", lazy="selectin", order_by="StaffOrganization.organization")

    def __repr__(self) -> str:
        return f"<StaffUser {self.username}{' admin' if self.is_admin else ''}>"


class SignInThrottle(Base):
    """Failed sign-ins for one attempted username, known or not, so both cost the same queries and
    get the same delays (tracking.accounts). The name is kept only as a hash: an unknown one may be a
    password typed in the wrong box. Rows idle for a day are removed."""

    __tablename__ = "sign_in_throttle"

    username_hash = Column(String(TOKEN_HASH_LENGTH), primary_key=True)
    failures = Column(Integer, nullable=False)
    last_failure_at = Column(UTCDateTime(), nullable=False, index=True)
    next_attempt_at = Column(UTCDateTime(), nullable=True)  # attempts before it are refused unchecked

    def __repr__(self) -> str:
        return f"<SignInThrottle failures={self.failures} next={self.next_attempt_at}>"


class StaffOrganization(Base):
    """One organisation whose requests a staff member may see (an administrator sees all anyway)."""

    __tablename__ = "staff_organizations"

    user_id = Column(Integer, ForeignKey("staff_users.id"), primary_key=True)
    organization = Column(String(ORGANIZATION_LENGTH), primary_key=True)

    def __repr__(self) -> str:
        return f"<StaffOrganization {self.user_id} {self.organization}>"


class StaffSession(Base):
    """A signed-in console session. The cookie holds the token; the table only its sha256."""

    __tablename__ = "staff_sessions"

    id = Column(Integer, primary_key=True)
    token_hash = Column(String(TOKEN_HASH_LENGTH), nullable=False, unique=True)
    user_id = Column(Integer, ForeignKey("staff_users.id"), nullable=False, index=True)
    csrf_token = Column(String(TOKEN_HASH_LENGTH), nullable=False)
    created_at = Column(UTCDateTime(), nullable=False)
    expires_at = Column(UTCDateTime(), nullable=False)
    last_seen_at = Column(UTCDateTime(), nullable=False)

    user = relationship("StaffUser", lazy="joined")

    def __repr__(self) -> str:
        return f"<StaffSession user={self.user_id} expires={self.expires_at}>"


class AuditEntry(Base):
    """One thing a staff member or an operator did; rows are never updated or deleted.

    `detail` never holds a requester's personal data (name, e-mail, description): tracking.audit
    checks what it writes.
    """

    __tablename__ = "audit_log"

    id = Column(Integer, primary_key=True)
    at = Column(UTCDateTime(), nullable=False, index=True)
    actor = Column(String(ACTOR_MAX_LENGTH), nullable=False, index=True)
    action = Column(_portable_enum(AuditAction, "action", ACTION_LENGTH), nullable=False)
    organization = Column(String(ORGANIZATION_LENGTH), nullable=True)
    reference = Column(String(REFERENCE_LENGTH), nullable=True)
    rows = Column(Integer, nullable=True)
    detail = Column(Text, nullable=True)

    def __repr__(self) -> str:
        return f"<AuditEntry {self.at} {self.actor} {self.action}>"


def _refuse_change(_mapper, _connection, row: Base) -> None:
    raise RuntimeError(f"{row.__tablename__} is append-only: refusing to modify {row!r}")


APPEND_ONLY = (StatusChange, AuditEntry)
for _append_only in APPEND_ONLY:
    event.listen(_append_only, "before_update", _refuse_change)
    event.listen(_append_only, "before_delete", _refuse_change)


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_change(state: ORMExecuteState) -> None:
    """`session.execute(delete(AuditEntry))` skips the row events above: refused here instead."""
    if (state.is_update or state.is_delete) and state.bind_mapper is not None \
            and state.bind_mapper.class_ in APPEND_ONLY:
        raise RuntimeError(f"{state.bind_mapper.class_.__tablename__} is append-only: refusing a bulk change")
