"""/forget's erasure really deletes a conversation from each tracker store it supports, and only that one."""
from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

import pytest
from rasa.core.tracker_store import (
    FailSafeTrackerStore, InMemoryTrackerStore, RedisTrackerStore, SQLTrackerStore, TrackerStore,
)
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from devtools.servers import redis_server
from rasa_extensions.erasure_channel import ErasureFailed, ErasureNotSupported, erase_conversation
from rasa_extensions.tracker_store import PickledInMemoryTrackerStore
from tracking import keys

DOMAIN = Domain.empty()
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def redis_port():
    """Debian's redis-server, installed by the project's script if missing, started for these tests."""
    if not shutil.which("redis-server"):
        installed = subprocess.run(["bash", str(ROOT / "scripts" / "install_redis.sh")], capture_output=True, text=True)
        assert installed.returncode == 0, f"Redis could not be installed: {installed.stderr.strip()}"
    with redis_server() as port:
        yield port


def _conversation(sender):
    return DialogueStateTracker.from_events(sender, [UserUttered(f"a question from {sender}")])


@pytest.fixture(params=["shipped", "memory", "sql", "redis"])
def store(request, tmp_path):
    backing = {"shipped": lambda: PickledInMemoryTrackerStore(DOMAIN),
               "memory": lambda: InMemoryTrackerStore(DOMAIN),
               "sql": lambda: SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "trackers.db")),
               # What RASA_WORKERS=2 serves with; a fresh key prefix per test keeps tests apart.
               "redis": lambda: RedisTrackerStore(DOMAIN, host="127.0.0.1", port=request.getfixturevalue("redis_port"),
                                                  password=keys.secret(keys.REDIS),
                                                  key_prefix=f"{tmp_path.name}:")}[request.param]()
    return FailSafeTrackerStore(backing)  # how Rasa's agent holds its store


def test_erasing_deletes_the_conversation_and_leaves_the_others(store):
    async def scenario():
        for sender in ("tg-forget-me", "tg-keep-me"):
            await store.save(_conversation(sender))
        erased = await erase_conversation(store, "tg-forget-me")
        return (erased, await store.retrieve_full_tracker("tg-forget-me"), await store.retrieve("tg-keep-me"),
                await erase_conversation(store, "tg-forget-me"))

    erased, forgotten, kept, erased_again = asyncio.run(scenario())
    assert erased is True and forgotten is None
    assert kept.latest_message.text == "a question from tg-keep-me"
    assert erased_again is False


def test_a_conversation_in_the_fallback_store_is_erased_too():
    primary, fallback = InMemoryTrackerStore(DOMAIN), InMemoryTrackerStore(DOMAIN)
    store = FailSafeTrackerStore(primary, fallback_tracker_store=fallback)

    async def scenario():
        await fallback.save(_conversation("tg-saved-while-the-primary-failed"))
        await erase_conversation(store, "tg-saved-while-the-primary-failed")
        return await fallback.retrieve_full_tracker("tg-saved-while-the-primary-failed")

    assert asyncio.run(scenario()) is None


class UnknownStore(TrackerStore):
    """A custom store: one the erasure does not know how to delete from."""

    async def save(self, tracker):
        return None

    async def retrieve(self, sender_id):
        return None

    async def retrieve_full_tracker(self, sender_id):
        return None

    async def keys(self):
        return []


class UndeletableStore(InMemoryTrackerStore):
    """Still answers with the conversation after it was deleted."""

    async def retrieve_full_tracker(self, sender_id):
        return _conversation(sender_id)


def test_an_unsupported_store_is_reported_not_silently_skipped():
    with pytest.raises(ErasureNotSupported):
        asyncio.run(erase_conversation(FailSafeTrackerStore(UnknownStore(DOMAIN)), "tg-x"))


def test_a_conversation_still_there_after_deleting_is_a_failure():
    with pytest.raises(ErasureFailed):
        asyncio.run(erase_conversation(FailSafeTrackerStore(UndeletableStore(DOMAIN)), "tg-x"))


def test_the_redis_refuses_a_client_without_the_password(redis_port):
    anonymous = subprocess.run(["redis-cli", "-p", str(redis_port), "set", "stolen", "1"], capture_output=True,
                               text=True, env={"PATH": "/usr/bin:/bin:/usr/local/bin"})
    assert "NOAUTH" in anonymous.stdout + anonymous.stderr
    with pytest.raises(Exception, match="(?i)auth"):
        asyncio.run(RedisTrackerStore(DOMAIN, host="127.0.0.1", port=redis_port).save(_conversation("intruder")))
