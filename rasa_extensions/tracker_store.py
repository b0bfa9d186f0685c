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
"""
from __future__ import annotations

import pickle
from typing import Optional, Text

from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker


class PickledInMemoryTrackerStore(InMemoryTrackerStore):
    """Same behaviour as `InMemoryTrackerStore` (last session on `retrieve`, every session on
    `retrieve_full_tracker`, events streamed to the broker), with pickles as the stored form."""

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        self.store[tracker.sender_id] = self.serialise_tracker(tracker)

    @staticmethod
    def serialise_tracker(tracker: DialogueStateTracker) -> bytes:  # type: ignore[override]
        return pickle.dumps(tracker, protocol=pickle.HIGHEST_PROTOCOL)

    def deserialise_tracker(self, sender_id: Text, serialised: bytes) -> Optional[DialogueStateTracker]:  # type: ignore[override]
        return pickle.loads(serialised)
