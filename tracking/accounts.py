"""Staff accounts and console sessions: the one place that creates users, checks passwords and
opens, finds and closes sessions. Used by the staff command line and the staff console.

Passwords are hashed with argon2id (argon2-cffi's defaults). Session tokens are random; the cookie
carries the token and the database only its sha256, so a copy of the database opens no session.
"""
from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select

from tracking.clock import utcnow
from tracking.models import USERNAME_MAX_LENGTH, StaffSession, StaffUser
from tracking.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 12
MAX_FAILED_LOGINS = 5  # then the account waits LOCKOUT before the next attempt counts
LOCKOUT = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=8)  # a working day; then sign in again
SESSION_IDLE_TIMEOUT = timedelta(hours=1)
_USERNAME = re.compile(rf"^[a-z0-9][a-z0-9._@-]{{1,{USERNAME_MAX_LENGTH - 1}}}$")
_hasher = PasswordHasher()
# Verified when the username is unknown, so that an unknown name takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """A user cannot be created or changed as asked; the message says why."""


@dataclass(frozen=True)
class StaffIdentity:
    """Who is signed in, and the CSRF token of their session."""

    username: str
    csrf_token: str


def normalize_username(username: str) -> str:
    return (username or "").strip().lower()


def validate_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")


def create_user(username: str, password: str, *, uow: Optional[UnitOfWork] = None,
                now: Optional[datetime] = None) -> str:
    """Adds a staff user; returns the normalised username. Raises AccountError."""
    username = normalize_username(username)
    if not _USERNAME.match(username):
        raise AccountError("a username is 2-64 characters: letters, digits, '.', '_', '@' or '-'")
    validate_password(password)
    with uow or UnitOfWork() as work:
        if work.session.execute(select(StaffUser.id).where(StaffUser.username == username)).first():
            raise AccountError(f"the user {username} already exists")
        work.session.add(StaffUser(username=username, password_hash=_hasher.hash(password),
                                   created_at=now or utcnow(), failed_logins=0))
        work.commit()
    logger.info("Staff user %s created", username)
    return username


def set_password(username: str, password: str, *, uow: Optional[UnitOfWork] = None) -> None:
    """Changes a password, unlocks the account and closes its open sessions."""
    validate_password(password)
    with uow or UnitOfWork() as work:
        user = _user(work, normalize_username(username))
        if user is None:
            raise AccountError(f"no user {normalize_username(username)}")
        user.password_hash, user.failed_logins, user.locked_until = _hasher.hash(password), 0, None
        work.session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))
        work.commit()
    logger.info("Password of staff user %s changed", user.username)


def authenticate(username: str, password: str, *, uow: Optional[UnitOfWork] = None,
                 now: Optional[datetime] = None) -> Optional[str]:
    """The username if the password is right and the account usable, else None (never says which)."""
    now = now or utcnow()
    username = normalize_username(username)
    with uow or UnitOfWork() as work:
        user = _user(work, username)
        if user is None or user.disabled_at is not None:
            _verify(_DUMMY_HASH, password)
            return None
        if user.locked_until is not None and user.locked_until > now:
            _verify(_DUMMY_HASH, password)
            logger.warning("Sign-in refused for %s: locked after repeated failures", username)
            return None
        if not _verify(user.password_hash, password):
            user.failed_logins = (user.failed_logins or 0) + 1
            if user.failed_logins >= MAX_FAILED_LOGINS:
                user.failed_logins, user.locked_until = 0, now + LOCKOUT
                logger.warning("Staff user %s locked for %s after %d failed sign-ins", username, LOCKOUT,
                               MAX_FAILED_LOGINS)
            work.commit()
            return None
        user.failed_logins, user.locked_until = 0, None
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
        work.commit()
        return user.username


def open_session(username: str, *, uow: Optional[UnitOfWork] = None, now: Optional[datetime] = None) -> str:
    """A new session for a user who just authenticated; returns the token for the cookie."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    with uow or UnitOfWork() as work:
        user = _user(work, normalize_username(username))
        if user is None:
            raise AccountError(f"no user {username}")
        # Expired sessions are removed as new ones open, so the table does not grow for ever.
        work.session.execute(delete(StaffSession).where(StaffSession.expires_at < now))
        work.session.add(StaffSession(token_hash=_token_hash(token), user_id=user.id,
                                      csrf_token=secrets.token_urlsafe(32), created_at=now,
                                      expires_at=now + SESSION_LIFETIME, last_seen_at=now))
        work.commit()
    return token


def find_session(token: Optional[str], *, uow: Optional[UnitOfWork] = None,
                 now: Optional[datetime] = None) -> Optional[StaffIdentity]:
    """The signed-in identity for a cookie token, or None if unknown, expired, idle or disabled."""
    if not token:
        return None
    now = now or utcnow()
    with uow or UnitOfWork() as work:
        session = work.session.execute(
            select(StaffSession).where(StaffSession.token_hash == _token_hash(token))).scalar_one_or_none()
        if session is None:
            return None
        if session.expires_at <= now or session.last_seen_at + SESSION_IDLE_TIMEOUT <= now \
                or session.user.disabled_at is not None:
            work.session.delete(session)
            work.commit()
            return None
        session.last_seen_at = now
        identity = StaffIdentity(username=session.user.username, csrf_token=session.csrf_token)
        work.commit()
        return identity


def close_session(token: Optional[str], *, uow: Optional[UnitOfWork] = None) -> None:
    if not token:
        return
    with uow or UnitOfWork() as work:
        work.session.execute(delete(StaffSession).where(StaffSession.token_hash == _token_hash(token)))
        work.commit()


def tokens_match(expected: str, given: Optional[str]) -> bool:
    return bool(expected) and secrets.compare_digest(expected.encode(), (given or "").encode())


def _user(work: UnitOfWork, username: str) -> Optional[StaffUser]:
    return work.session.execute(select(StaffUser).where(StaffUser.username == username)).scalar_one_or_none()


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()

