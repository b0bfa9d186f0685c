"""Staff accounts and console sessions: the one place that creates users, sets which organisations
they see, checks passwords and opens, finds and closes sessions. Used by the staff command line and
the staff console, which record each change, sign-in and sign-out in the audit log through here.

A staff member sees the requests of their organisations (one or more); an administrator sees every
organisation's and manages accounts.

Passwords are hashed with argon2id (argon2-cffi's defaults). Session tokens are random; the cookie
carries the token and the database only its sha256, so a copy of the database opens no session.
"""
from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import re
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import FrozenSet, Iterable, List, Optional, Tuple

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from tracking import audit
from tracking.clock import utcnow
from tracking.models import (USERNAME_MAX_LENGTH, AuditAction, SignInThrottle, StaffOrganization, StaffSession,
                             StaffUser)
from tracking.scope import EVERYTHING, Caller, Scope
from tracking.service import organization_slugs
from tracking.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 12
# Progressive delays, not a lockout (anyone knowing a username could lock its owner out): after
# FREE_FAILURES failed sign-ins in a row, each next attempt must wait 1, 2, 4... seconds after the last
# failure, at most MAX_DELAY. An attempt during the wait is refused without checking the password
# and without counting, so the wait never grows past MAX_DELAY and the right password signs in once it
# is over. The same holds for unknown usernames, so the delays reveal nothing either.
FREE_FAILURES = 3
MAX_DELAY = timedelta(seconds=60)
THROTTLE_KEPT = timedelta(days=1)  # failures older than this are forgotten
# argon2 is slow on purpose: sign-ins get their own few threads, so a burst of them cannot hold up the
# default executor that every console page uses to check its session.
PASSWORD_CHECK_THREADS = 2
_password_pool = ThreadPoolExecutor(max_workers=PASSWORD_CHECK_THREADS, thread_name_prefix="password-check")
SESSION_LIFETIME = timedelta(hours=8)  # a working day; then sign in again
SESSION_IDLE_TIMEOUT = timedelta(hours=1)
_USERNAME = re.compile(rf"^[a-z0-9][a-z0-9._@-]{{1,{USERNAME_MAX_LENGTH - 1}}}$")
_hasher = PasswordHasher()
# Verified when the username is unknown, so that an unknown name takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


# The kinds of refusal, for a text in the reader's language (the console's account_error_<reason>).
REFUSAL_REASONS = ("invalid", "username", "password", "exists", "organization", "no_organization", "last_admin",
                   "no_user")


class AccountError(ValueError):
    """A user cannot be created or changed as asked; the message says why, `reason` (REFUSAL_REASONS) which kind."""

    def __init__(self, message: str, reason: str = "invalid") -> None:
        super().__init__(message)
        self.reason = reason if reason in REFUSAL_REASONS else "invalid"


def _scope(is_admin: bool, organizations: Iterable[str]) -> Scope:
    return EVERYTHING if is_admin else Scope.of(organizations)


@dataclass(frozen=True)
class StaffIdentity:
    """Who is signed in, what they may see, and the CSRF token of their session."""

    username: str
    csrf_token: str
    is_admin: bool = False
    organizations: FrozenSet[str] = frozenset()

    @property
    def scope(self) -> Scope:
        return _scope(self.is_admin, self.organizations)

    @property
    def caller(self) -> Caller:
        """For the request service: this member's scope, and their name in the audit log."""
        return Caller(actor=self.username, scope=self.scope)


@dataclass(frozen=True)
class StaffAccount:
    """An account as an administrator sees it (never the password hash)."""

    username: str
    is_admin: bool
    organizations: Tuple[str, ...]
    created_at: datetime
    disabled_at: Optional[datetime]
    locked_until: Optional[datetime]

    @classmethod
    def from_model(cls, user: StaffUser, waits_until: Optional[datetime] = None) -> "StaffAccount":
        return cls(username=user.username, is_admin=bool(user.is_admin), organizations=_slugs_of(user),
                   created_at=user.created_at, disabled_at=user.disabled_at, locked_until=waits_until)


def normalize_username(username: str) -> str:
    return (username or "").strip().lower()


def parse_organizations(text: Optional[str]) -> List[str]:
    """"b, A" → ["a", "b"] (as `--org` gives them), sorted, each once."""
    return sorted({part.strip().lower() for part in (text or "").split(",")} - {""})


def validate_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters", "password")


def create_user(username: str, password: str, *, actor: str, organizations: Iterable[str] = (),
                is_admin: bool = False, uow: Optional[UnitOfWork] = None, now: Optional[datetime] = None,
                known_organizations: Optional[Iterable[str]] = None) -> str:
    """Adds a staff user who sees `organizations` (or everything, as an administrator); returns the
    normalised username. `actor` made the change (audit log). Raises AccountError."""
    username = normalize_username(username)
    if not _USERNAME.match(username):
        raise AccountError("a username is 2-64 characters: letters, digits, '.', '_', '@' or '-'", "username")
    validate_password(password)
    slugs = _organizations(organizations, is_admin, known_organizations)
    with uow or UnitOfWork() as work:
        if work.session.execute(select(StaffUser.id).where(StaffUser.username == username)).first():
            raise AccountError(f"the user {username} already exists", "exists")
        work.session.add(StaffUser(username=username, password_hash=_hasher.hash(password), is_admin=is_admin,
                                   created_at=now or utcnow(), failed_logins=0,
                                   organizations=[StaffOrganization(organization=slug) for slug in slugs]))
        audit.record(work.session, actor, AuditAction.MANAGE_ACCOUNT, now=now,
                     detail=f"create {username}: {describe_access(is_admin, slugs)}")
        work.commit()
    logger.info("Staff user %s created (%s)", username, describe_access(is_admin, slugs))
    return username


def set_password(username: str, password: str, *, actor: str, uow: Optional[UnitOfWork] = None) -> None:
    """Changes a password, unlocks the account and closes its open sessions."""
    validate_password(password)
    with uow or UnitOfWork() as work:
        user = _existing_user(work, username)
        user.password_hash, user.failed_logins, user.locked_until = _hasher.hash(password), 0, None
        work.session.execute(delete(SignInThrottle).where(SignInThrottle.username_hash == _username_hash(user.username)))
        work.session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))
        audit.record(work.session, actor, AuditAction.MANAGE_ACCOUNT, detail=f"set the password of {user.username}")
        work.commit()
    logger.info("Password of staff user %s changed", user.username)


def set_access(username: str, *, organizations: Iterable[str], is_admin: bool, actor: str,
               uow: Optional[UnitOfWork] = None, known_organizations: Optional[Iterable[str]] = None) -> StaffAccount:
    """Replaces which organisations a user sees and whether they are an administrator. The user's open
    sessions see the change on their next page."""
    slugs = _organizations(organizations, is_admin, known_organizations)
    with uow or UnitOfWork() as work:
        user = _existing_user(work, username)
        if user.is_admin and not is_admin:
            _keep_an_administrator(work, user)
        user.is_admin = is_admin
        kept = {link.organization: link for link in user.organizations}
        user.organizations = [kept.get(slug) or StaffOrganization(organization=slug) for slug in slugs]
        audit.record(work.session, actor, AuditAction.MANAGE_ACCOUNT,
                     detail=f"set the access of {user.username}: {describe_access(is_admin, slugs)}")
        work.commit()
        account = StaffAccount.from_model(user)
    logger.info("Access of staff user %s set to %s", account.username, describe_access(is_admin, slugs))
    return account


def set_disabled(username: str, disabled: bool, *, actor: str, uow: Optional[UnitOfWork] = None,
                 now: Optional[datetime] = None) -> StaffAccount:
    """Disables an account (it can no longer sign in; its sessions end) or enables it again."""
    with uow or UnitOfWork() as work:
        user = _existing_user(work, username)
        if disabled and user.is_admin and user.disabled_at is None:
            _keep_an_administrator(work, user)
        user.disabled_at = (user.disabled_at or now or utcnow()) if disabled else None
        if disabled:
            work.session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))
        audit.record(work.session, actor, AuditAction.MANAGE_ACCOUNT, now=now,
                     detail=f"{'disable' if disabled else 'enable'} {user.username}")
        work.commit()
        account = StaffAccount.from_model(user)
    logger.info("Staff user %s %s", account.username, "disabled" if disabled else "enabled")
    return account


def list_accounts(*, uow: Optional[UnitOfWork] = None) -> List[StaffAccount]:
    """Every account, by username; `locked_until` is when a sign-in delay after failures ends."""
    with uow or UnitOfWork() as work:
        users = work.session.execute(select(StaffUser).order_by(StaffUser.username)).scalars().all()
        waits = dict(work.session.execute(select(SignInThrottle.username_hash, SignInThrottle.next_attempt_at)).all())
        return [StaffAccount.from_model(user, waits.get(_username_hash(user.username))) for user in users]


def retry_delay(failures: int) -> timedelta:
    """How long after the last failure the next attempt must wait, after `failures` failures in a row."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    return min(timedelta(seconds=2 ** min(failures - FREE_FAILURES, 16)), MAX_DELAY)


def authenticate(username: str, password: str, *, uow: Optional[UnitOfWork] = None,
                 now: Optional[datetime] = None) -> Optional[str]:
    """The username if the password is right and the account usable, else None (never says which).

    An unknown username runs the same queries and the same argon2 work as a wrong password."""
    now = now or utcnow()
    username = normalize_username(username)
    uow = uow or UnitOfWork()
    try:
        return _authenticate(username, password, uow, now)
    except IntegrityError:  # two first failures for one name at once: the other inserted the row
        return _authenticate(username, password, uow, now)


async def authenticate_async(username: str, password: str) -> Optional[str]:
    """`authenticate` on the password-check threads, for the console's event loop."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_password_pool, functools.partial(authenticate, username, password))


def _authenticate(username: str, password: str, uow: UnitOfWork, now: datetime) -> Optional[str]:
    with uow as work:
        work.session.execute(delete(SignInThrottle).where(SignInThrottle.last_failure_at < now - THROTTLE_KEPT))
        user = work.session.execute(select(StaffUser.id, StaffUser.username, StaffUser.password_hash,
                                           StaffUser.disabled_at).where(StaffUser.username == username)).first()
        key = _username_hash(username)
        throttle = work.session.get(SignInThrottle, key)
        usable = user is not None and user.disabled_at is None
        if throttle is not None and throttle.next_attempt_at is not None and throttle.next_attempt_at > now:
            _verify(_DUMMY_HASH, password)
            logger.warning("Sign-in refused for %s: too soon after %d failures", _shown(username, user),
                           throttle.failures)
            return _refused(work, user.username if user else audit.UNKNOWN_ACTOR, "too soon after failures", now)
        if _verify(user.password_hash if usable else _DUMMY_HASH, password) and usable:
            if throttle is not None:
                work.session.delete(throttle)
            if _hasher.check_needs_rehash(user.password_hash):
                work.session.execute(update(StaffUser).where(StaffUser.id == user.id)
                                     .values(password_hash=_hasher.hash(password)))
            work.commit()
            return user.username
        if throttle is None:
            throttle = SignInThrottle(username_hash=key, failures=0)
            work.session.add(throttle)
        throttle.failures += 1
        throttle.last_failure_at = now
        delay = retry_delay(throttle.failures)
        throttle.next_attempt_at = now + delay if delay else None
        if delay:
            logger.warning("Sign-in for %s: %d failures in a row, next attempt in %ss", _shown(username, user),
                           throttle.failures, int(delay.total_seconds()))
        # An unknown name is not kept in the audit log: it may be a password typed in the wrong box.
        why = "unknown username" if user is None else "account disabled" if not usable else "wrong password"
        return _refused(work, user.username if user else audit.UNKNOWN_ACTOR, why, now)


def _username_hash(username: str) -> str:
    return hashlib.sha256(f"sign-in:{username}".encode("utf-8")).hexdigest()


def _shown(username: str, user: object) -> str:
    return username if user is not None else "an unknown username"


def open_session(username: str, *, uow: Optional[UnitOfWork] = None, now: Optional[datetime] = None) -> str:
    """A new session for a user who just authenticated; returns the token for the cookie."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    with uow or UnitOfWork() as work:
        user = _user(work, normalize_username(username))
        if user is None:
            raise AccountError(f"no user {username}", "no_user")
        # Expired sessions are removed as new ones open, so the table does not grow for ever.
        work.session.execute(delete(StaffSession).where(StaffSession.expires_at < now))
        work.session.add(StaffSession(token_hash=_token_hash(token), user_id=user.id,
                                      csrf_token=secrets.token_urlsafe(32), created_at=now,
                                      expires_at=now + SESSION_LIFETIME, last_seen_at=now))
        audit.record(work.session, user.username, AuditAction.SIGN_IN, now=now)
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
        user = session.user
        identity = StaffIdentity(username=user.username, csrf_token=session.csrf_token, is_admin=bool(user.is_admin),
                                 organizations=frozenset(_slugs_of(user)))
        work.commit()
        return identity


def close_session(token: Optional[str], *, uow: Optional[UnitOfWork] = None) -> None:
    """Signs out: the session ends, and the sign-out is recorded."""
    if not token:
        return
    with uow or UnitOfWork() as work:
        session = work.session.execute(
            select(StaffSession).where(StaffSession.token_hash == _token_hash(token))).scalar_one_or_none()
        if session is None:
            return
        audit.record(work.session, session.user.username, AuditAction.SIGN_OUT)
        work.session.delete(session)
        work.commit()


def tokens_match(expected: str, given: Optional[str]) -> bool:
    return bool(expected) and secrets.compare_digest(expected.encode(), (given or "").encode())


def _user(work: UnitOfWork, username: str) -> Optional[StaffUser]:
    return work.session.execute(select(StaffUser).where(StaffUser.username == username)).scalar_one_or_none()


def _existing_user(work: UnitOfWork, username: str) -> StaffUser:
    user = _user(work, normalize_username(username))
    if user is None:
        raise AccountError(f"no user {normalize_username(username)}", "no_user")
    return user


def _slugs_of(user: StaffUser) -> Tuple[str, ...]:
    return tuple(sorted(link.organization for link in user.organizations))


def _organizations(organizations: Iterable[str], is_admin: bool,
                   known_organizations: Optional[Iterable[str]]) -> List[str]:
    """The slugs, checked against the knowledge base; a member who is not an administrator needs one."""
    slugs = sorted({(slug or "").strip().lower() for slug in organizations} - {""})
    known = set(organization_slugs() if known_organizations is None else known_organizations)
    unknown = [slug for slug in slugs if slug not in known]
    if unknown:
        raise AccountError(f"unknown organisation {', '.join(unknown)}; one of {', '.join(sorted(known))}",
                           "organization")
    if not slugs and not is_admin:
        raise AccountError("a staff member who is not an administrator needs at least one organisation",
                           "no_organization")
    return slugs


def describe_access(is_admin: bool, slugs: Iterable[str]) -> str:
    """What an account sees, in words (for messages and the audit log)."""
    return "administrator, every organisation" if is_admin else f"organisations {', '.join(slugs)}"


def _keep_an_administrator(work: UnitOfWork, user: StaffUser) -> None:
    """Refuses to demote or disable the last enabled administrator: nobody could manage accounts after."""
    others = work.session.execute(select(StaffUser.id).where(
        StaffUser.is_admin.is_(True), StaffUser.disabled_at.is_(None), StaffUser.id != user.id)).first()
    if others is None:
        raise AccountError(f"{user.username} is the last enabled administrator: make another one first",
                           "last_admin")


def _refused(work: UnitOfWork, actor: str, why: str, now: datetime) -> None:
    """A failed sign-in, recorded (with any failed-attempt count) in the same transaction."""
    audit.record(work.session, actor, AuditAction.SIGN_IN_FAILED, detail=why, now=now)
    work.commit()
    return None


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()

