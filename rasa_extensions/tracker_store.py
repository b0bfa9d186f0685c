"""Rasa's in-memory tracker store, keeping each conversation as a pickle instead of JSON text.

Rasa reads the conversation from the tracker store at every message and writes it back after.
Its in-memory store keeps JSON text: every read parses it and rebuilds each event by searching
all of Rasa's event classes for the one named in it, then replays the events into a tracker,
about 5 ms for a ten-turn conversation and 90 ms for a forty-turn one here, growing with every
turn (reports/benchmark.md, "Where the time goes"). A pickle restores the tracker as it was
saved, in a tenth of the time. The pickles never leave this process (nothing outside it can
write them), so unpickling them carries no risk; deployments with several Rasa processes use
Redis instead (endpoints.yml), which stores JSON.

    tracker_store:
      type: rasa_extensions.tracker_store.PickledInMemoryTrackerStore

A conversation left idle for CONVERSATION_TTL seconds (default a day) is forgotten: without it every
conversation stayed in memory for the life of the process (3,000 new ones took about 20 MB). The
Redis store gets the same period as its keys' expiry (`record_exp`, rasa_extensions/endpoints.py).
"""
from __future__ import annotations

import pickle
import time
from collections import OrderedDict
from typing import Any, Callable, Optional, Text

from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from tracking.config import conversation_ttl

SWEEP_EVERY_SECONDS = 60.0  # idle conversations are looked for at most this often (and on each read)


class PickledInMemoryTrackerStore(InMemoryTrackerStore):
    """Same behaviour as `InMemoryTrackerStore` (last session on `retrieve`, every session on
    `retrieve_full_tracker`, events streamed to the broker), with pickles as the stored form, and
    conversations idle for longer than the TTL removed."""

    def __init__(self, domain: Domain, event_broker: Any = None, conversation_ttl_seconds: Optional[float] = None,
                 clock: Callable[[], float] = time.monotonic, **kwargs: Any) -> None:
        super().__init__(domain, event_broker, **kwargs)
        self.ttl = float(conversation_ttl_seconds or conversation_ttl())
        self._clock = clock
        self._saved_at: "OrderedDict[str, float]" = OrderedDict()  # oldest save first
        self._next_sweep = 0.0

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        self.store[tracker.sender_id] = self.serialise_tracker(tracker)
        now = self._clock()
        self._saved_at[tracker.sender_id] = now
        self._saved_at.move_to_end(tracker.sender_id)
        if now >= self._next_sweep:
            self.evict_idle(now)
            self._next_sweep = now + min(SWEEP_EVERY_SECONDS, self.ttl)

    async def _retrieve(self, sender_id: Text, fetch_all_sessions: bool) -> Optional[DialogueStateTracker]:
        self.evict_idle(self._clock())
        return await super()._retrieve(sender_id, fetch_all_sessions)

    def evict_idle(self, now: float) -> int:
        """Removes the conversations last saved more than the TTL ago; returns how many."""
        evicted = 0
        while self._saved_at:
            sender_id, saved_at = next(iter(self._saved_at.items()))
            if now - saved_at <= self.ttl:
                break
            del self._saved_at[sender_id]
            evicted += self.store.pop(sender_id, None) is not None
        return evicted

    @staticmethod
    def serialise_tracker(tracker: DialogueStateTracker) -> bytes:  # type: ignore[override]
        return pickle.dumps(tracker, protocol=pickle.HIGHEST_PROTOCOL)

    def deserialise_tracker(self, sender_id: Text, serialised: bytes) -> Optional[DialogueStateTracker]:  # type: ignore[override]
        return pickle.loads(serialised)
