"""Staff accounts: hashed passwords, refusals that do not say why, progressive delays, sessions that end."""
from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from tracking import accounts, config
from tracking.accounts import AccountError
from tracking.models import SignInThrottle, StaffSession, StaffUser

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


def _fail(uow, username, times, now):
    for _ in range(times):
        assert accounts.authenticate(username, "guess guess guess", uow=uow, now=now) is None


def test_repeated_failures_slow_attempts_down_but_never_lock_the_owner_out(uow, alice):
    now = accounts.utcnow()
    _fail(uow, "alice", accounts.FREE_FAILURES, now)
    # Now each attempt waits 1, 2, 4... seconds after the last failure; the right password inside it is refused.
    assert accounts.authenticate("alice", PASSWORD, uow=uow, now=now + timedelta(milliseconds=500)) is None
    assert accounts.authenticate("alice", "wrong again", uow=uow, now=now + timedelta(seconds=1)) is None
    assert accounts.authenticate("alice", PASSWORD, uow=uow, now=now + timedelta(seconds=2)) is None  # waits 2 s
    assert accounts.authenticate("alice", PASSWORD, uow=uow, now=now + timedelta(seconds=3)) == "alice"
    # Signed in: the count starts again.
    assert accounts.authenticate("alice", "wrong", uow=uow, now=now + timedelta(seconds=4)) is None
    assert accounts.authenticate("alice", PASSWORD, uow=uow, now=now + timedelta(seconds=4)) == "alice"


def test_an_attacker_hammering_a_username_delays_its_owner_at_most_a_minute(uow, alice, monkeypatch):
    now = accounts.utcnow()
    with monkeypatch.context() as fast:
        fast.setattr(accounts, "_verify", lambda _hash, _password: False)  # argon2's cost is not the point here
        for second in range(0, 300, 2):  # five minutes of guesses, one every 2 s: most land inside a wait
            accounts.authenticate("alice", "guess guess guess", uow=uow, now=now + timedelta(seconds=second))
    with uow as work:
        failures = work.session.execute(select(SignInThrottle.failures)).scalar_one()
    assert failures <= 15  # 3 free, 1+2+4+8+16+32 s, then one a minute: attempts during a wait not counted
    last = now + timedelta(seconds=298)
    assert accounts.authenticate("alice", PASSWORD, uow=uow, now=last + accounts.MAX_DELAY) == "alice"
    assert accounts.retry_delay(1000) == accounts.MAX_DELAY


def test_an_unknown_username_costs_the_same_queries_and_gets_the_same_delays(uow, alice, migrated_url):
    statements = []

    def seen(_connection, _cursor, statement, parameters, _context, _many):
        statements.append(" ".join(statement.split()))

    engine = config.get_engine(migrated_url)
    now = accounts.utcnow()
    event.listen(engine, "before_cursor_execute", seen)
    try:
        traces = []
        for name in ("alice", "nobody"):
            statements.clear()
            for attempt in range(accounts.FREE_FAILURES + 2):
                accounts.authenticate(name, "guess guess guess", uow=uow, now=now + timedelta(milliseconds=attempt))
            traces.append(list(statements))
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert traces[0] == traces[1] and any("sign_in_throttle" in statement for statement in traces[0])
    assert accounts.authenticate("nobody", "x", uow=uow, now=now + timedelta(seconds=1)) is None
    with uow as work:
        throttled = work.session.execute(select(SignInThrottle.username_hash, SignInThrottle.failures)).all()
    assert sorted(failures for _hash, failures in throttled) == [accounts.FREE_FAILURES] * 2
    assert all("nobody" not in hashed and "alice" not in hashed for hashed, _failures in throttled)


def test_a_password_change_clears_the_delay(uow, alice):
    now = accounts.utcnow()
    _fail(uow, "alice", accounts.FREE_FAILURES + 3, now)
    accounts.set_password("alice", "another long password", actor="cli:test", uow=uow)
    assert accounts.authenticate("alice", "another long password", uow=uow, now=now) == "alice"


def test_password_checks_run_on_their_own_threads_so_session_checks_do_not_queue_behind_them(monkeypatch):
    checked_on = []

    def slow_verify(_hash, _password):
        checked_on.append(threading.current_thread().name)
        time.sleep(0.4)
        return False

    monkeypatch.setattr(accounts, "_verify", slow_verify)
    monkeypatch.setattr(accounts, "authenticate", lambda username, password: accounts._verify("", password))

    async def burst_then_session_check():
        loop = asyncio.get_running_loop()
        loop.set_default_executor(ThreadPoolExecutor(max_workers=2))  # as small as a busy server's is full
        sign_ins = [asyncio.ensure_future(accounts.authenticate_async("x", "y")) for _ in range(6)]
        await asyncio.sleep(0.05)
        started = time.monotonic()
        await asyncio.to_thread(lambda: None)  # what every console page does to check its session
        waited = time.monotonic() - started
        await asyncio.gather(*sign_ins)
        return waited

    waited = asyncio.run(burst_then_session_check())
    assert waited < 0.2
    assert len(checked_on) == 6 and all(name.startswith("password-check") for name in checked_on)


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
