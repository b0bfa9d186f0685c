"""Staff accounts: hashed passwords, refusals that do not say why, lockout, sessions that end."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tracking import accounts
from tracking.accounts import AccountError
from tracking.models import StaffSession, StaffUser

PASSWORD = "correct horse battery staple"


@pytest.fixture
def alice(uow) -> str:
    return accounts.create_user("Alice", PASSWORD, is_admin=True, actor="cli:test", uow=uow)


def test_only_an_argon2_hash_of_the_password_is_stored(uow, alice):
    with uow as work:
        stored = work.session.execute(select(StaffUser.password_hash)).scalar_one()
    assert alice == "alice"
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_the_right_password_signs_in_and_a_wrong_one_or_an_unknown_user_does_not(uow, alice):
    assert accounts.authenticate("ALICE ", PASSWORD, uow=uow) == "alice"
    assert accounts.authenticate("alice", PASSWORD + "!", uow=uow) is None
    assert accounts.authenticate("nobody", PASSWORD, uow=uow) is None


@pytest.mark.parametrize("username,password", [("alice", "short"), ("a", PASSWORD), ("<script>", PASSWORD)])
def test_weak_passwords_and_odd_usernames_are_refused(uow, username, password):
    with pytest.raises(AccountError):
        accounts.create_user(username, password, is_admin=True, actor="cli:test", uow=uow)


def test_a_username_is_taken_once(uow, alice):
    with pytest.raises(AccountError, match="already exists"):
        accounts.create_user("alice", PASSWORD, is_admin=True, actor="cli:test", uow=uow)


def test_repeated_failures_lock_the_account_for_a_while(uow, alice):
    now = accounts.utcnow()
    for _ in range(accounts.MAX_FAILED_LOGINS):
        assert accounts.authenticate("alice", "guess guess guess", uow=uow, now=now) is None
    assert accounts.authenticate("alice", PASSWORD, uow=uow, now=now + timedelta(minutes=1)) is None
    assert accounts.authenticate("alice", PASSWORD, uow=uow, now=now + accounts.LOCKOUT + timedelta(seconds=1)) == "alice"


def test_a_session_is_found_by_its_token_and_the_database_keeps_only_a_hash(uow, alice):
    token = accounts.open_session("alice", uow=uow)
    identity = accounts.find_session(token, uow=uow)
    assert identity.username == "alice" and len(identity.csrf_token) >= 32
    with uow as work:
        assert token not in work.session.execute(select(StaffSession.token_hash)).scalar_one()
    assert accounts.find_session(token + "x", uow=uow) is None
    assert accounts.find_session(None, uow=uow) is None


def test_sessions_end_when_idle_too_long_or_past_their_lifetime(uow, alice):
    now = accounts.utcnow()
    idle = accounts.open_session("alice", uow=uow, now=now)
    assert accounts.find_session(idle, uow=uow, now=now + accounts.SESSION_IDLE_TIMEOUT + timedelta(seconds=1)) is None
    busy = accounts.open_session("alice", uow=uow, now=now)
    moment = now
    while moment < now + accounts.SESSION_LIFETIME - timedelta(minutes=30):
        moment += timedelta(minutes=30)
        assert accounts.find_session(busy, uow=uow, now=moment) is not None
    assert accounts.find_session(busy, uow=uow, now=now + accounts.SESSION_LIFETIME) is None


def test_logout_and_a_password_change_close_sessions(uow, alice):
    first, second = accounts.open_session("alice", uow=uow), accounts.open_session("alice", uow=uow)
    accounts.close_session(first, uow=uow)
    assert accounts.find_session(first, uow=uow) is None and accounts.find_session(second, uow=uow) is not None
    accounts.set_password("alice", "another long password", actor="cli:test", uow=uow)
    assert accounts.find_session(second, uow=uow) is None
    assert accounts.authenticate("alice", "another long password", uow=uow) == "alice"


def test_a_member_sees_their_organisations_and_an_administrator_everything(uow, alice):
    accounts.create_user("tom", PASSWORD, organizations=["CESI", " akteos", "cesi"], actor="alice", uow=uow)
    tom = accounts.find_session(accounts.open_session("tom", uow=uow), uow=uow)
    assert (tom.is_admin, tom.organizations) == (False, {"akteos", "cesi"})
    assert tom.scope.allows("cesi") and not tom.scope.allows("acta")
    assert tom.caller.actor == "tom"
    admin = accounts.find_session(accounts.open_session("alice", uow=uow), uow=uow)
    assert admin.is_admin and admin.scope.is_everything


@pytest.mark.parametrize("organizations, is_admin, refusal", [
    (["nowhere"], False, "unknown organisation nowhere"),
    (["cesi", "akteos.fr"], True, "unknown organisation akteos.fr"),
    ([], False, "at least one organisation"),
])
def test_unknown_organisations_and_members_without_one_are_refused(uow, organizations, is_admin, refusal):
    with pytest.raises(AccountError, match=refusal):
        accounts.create_user("tom", PASSWORD, organizations=organizations, is_admin=is_admin, actor="alice", uow=uow)
    assert accounts.list_accounts(uow=uow) == []


def test_changing_an_accounts_organisations_applies_to_its_open_session(uow, alice):
    accounts.create_user("tom", PASSWORD, organizations=["cesi"], actor="alice", uow=uow)
    token = accounts.open_session("tom", uow=uow)
    accounts.set_access("tom", organizations=["acta", "cesi"], is_admin=False, actor="alice", uow=uow)
    assert accounts.find_session(token, uow=uow).organizations == {"acta", "cesi"}
    accounts.set_access("tom", organizations=["acta"], is_admin=False, actor="alice", uow=uow)
    assert accounts.find_session(token, uow=uow).organizations == {"acta"}
    accounts.set_disabled("tom", True, actor="alice", uow=uow)
    assert accounts.find_session(token, uow=uow) is None
    assert accounts.authenticate("tom", PASSWORD, uow=uow) is None
    accounts.set_disabled("tom", False, actor="alice", uow=uow)
    assert accounts.authenticate("tom", PASSWORD, uow=uow) == "tom"
    listed = {account.username: account for account in accounts.list_accounts(uow=uow)}
    assert (listed["tom"].is_admin, listed["tom"].organizations) == (False, ("acta",))
    assert listed["alice"].is_admin and listed["tom"].disabled_at is None


def test_the_last_enabled_administrator_can_be_neither_demoted_nor_disabled(uow, alice):
    with pytest.raises(AccountError, match="last enabled administrator"):
        accounts.set_access("alice", organizations=["cesi"], is_admin=False, actor="alice", uow=uow)
    with pytest.raises(AccountError, match="last enabled administrator"):
        accounts.set_disabled("alice", True, actor="alice", uow=uow)
    accounts.create_user("bob", PASSWORD, is_admin=True, actor="alice", uow=uow)
    assert not accounts.set_access("alice", organizations=["cesi"], is_admin=False, actor="bob", uow=uow).is_admin
