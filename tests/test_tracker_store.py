"""The shipped tracker store behaves as Rasa's in-memory store: what it gives back is what was saved."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rasa.core.tracker_store import InMemoryTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import read_endpoint_config

from rasa_extensions.tracker_store import PickledInMemoryTrackerStore

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = Domain.load(str(ROOT / "domain.yml"))


def _conversation(sender: str, sessions: int = 1) -> DialogueStateTracker:
    events = []
    for session in range(sessions):
        events += [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
                   UserUttered(f"question {session}", {"name": "ask_retention", "confidence": 0.9},
                               parse_data={"text": f"question {session}"}),
                   SlotSet("organization", "akteos"), SlotSet("language", "fr" if session else "en")]
    return DialogueStateTracker.from_events(sender, events, DOMAIN.slots)


def _round_trip(store, tracker):
    async def run():
        await store.save(tracker)
        return await store.retrieve(tracker.sender_id), await store.retrieve_full_tracker(tracker.sender_id)
    return asyncio.run(run())


@pytest.mark.parametrize("sessions", [1, 3])
def test_a_saved_conversation_comes_back_as_rasas_in_memory_store_gives_it(sessions):
    tracker = _conversation("web-1", sessions)
    ours, theirs = _round_trip(PickledInMemoryTrackerStore(DOMAIN), tracker), _round_trip(InMemoryTrackerStore(DOMAIN), tracker)
    for mine, rasas in zip(ours, theirs):
        assert list(mine.events) == list(rasas.events)
        assert mine.current_slot_values() == rasas.current_slot_values()
        assert mine.latest_message.text == rasas.latest_message.text
    last_session, everything = ours
    assert len(everything.events) == len(tracker.events)
    assert last_session.latest_message.text == f"question {sessions - 1}"   # only the last session on retrieve


def test_changing_a_retrieved_conversation_does_not_change_the_stored_one():
    store = PickledInMemoryTrackerStore(DOMAIN)
    retrieved, _ = _round_trip(store, _conversation("web-2"))
    retrieved.update(SlotSet("organization", "cesi"))
    again = asyncio.run(store.retrieve("web-2"))
    assert again.get_slot("organization") == "akteos"


def test_an_unknown_conversation_is_none():
    assert asyncio.run(PickledInMemoryTrackerStore(DOMAIN).retrieve("never-seen")) is None


def test_endpoints_yml_serves_with_it():
    config = read_endpoint_config(str(ROOT / "endpoints.yml"), "tracker_store")
    store = TrackerStore.create(config, DOMAIN)
    assert isinstance(getattr(store, "_tracker_store", store), PickledInMemoryTrackerStore)


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_conversation_left_idle_longer_than_the_ttl_is_forgotten_and_an_active_one_kept():
    clock = _Clock()
    store = PickledInMemoryTrackerStore(DOMAIN, conversation_ttl_seconds=600, clock=clock)

    async def run():
        await store.save(_conversation("idle"))
        clock.now += 400
        await store.save(_conversation("active"))
        clock.now += 300  # idle: 700 s since its last message; active: 300 s
        return await store.retrieve("idle"), await store.retrieve("active")

    idle, active = asyncio.run(run())
    assert idle is None and active is not None
    assert set(store.store) == {"active"}  # removed from memory, not only hidden


def test_thousands_of_abandoned_conversations_do_not_stay_in_memory():
    clock = _Clock()
    store = PickledInMemoryTrackerStore(DOMAIN, conversation_ttl_seconds=60, clock=clock)

    async def run():
        tracker = _conversation("x")
        for n in range(3000):
            tracker.sender_id = f"web-{n}"
            await store.save(tracker)
            clock.now += 0.1
        clock.now += 120
        tracker.sender_id = "web-new"
        await store.save(tracker)  # a later message sweeps the idle ones

    asyncio.run(run())
    assert list(store.store) == ["web-new"]


def test_the_ttl_comes_from_the_environment_and_reaches_the_redis_store(monkeypatch):
    from rasa_extensions import endpoints
    from tracking import config

    monkeypatch.setenv("CONVERSATION_TTL", "900")
    assert PickledInMemoryTrackerStore(DOMAIN).ttl == 900
    assert endpoints.redis_stores(6380)["tracker_store"]["record_exp"] == 900
    monkeypatch.delenv("CONVERSATION_TTL")
    assert config.conversation_ttl() == config.DEFAULT_CONVERSATION_TTL_SECONDS == 86400
