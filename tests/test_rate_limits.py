"""The rate limits shared by the REST channel and the web app (tracking/validation.py)."""
from __future__ import annotations

import gc
import time

from tracking.validation import EXPIRY_SWEEP_SECONDS, PRUNE_EVERY_HITS, RATE_LIMITS, RateLimits


def test_a_limit_counts_per_key_and_says_how_long_to_wait():
    limits = RateLimits({"RATE_LIMIT_PER_CONVERSATION": "2/minute"})
    gc.collect()  # the storage must outlive any garbage collection
    assert limits.retry_after("RATE_LIMIT_PER_CONVERSATION", "a") is None
    assert limits.retry_after("RATE_LIMIT_PER_CONVERSATION", "a") is None
    wait = limits.retry_after("RATE_LIMIT_PER_CONVERSATION", "a")
    assert wait is not None and 1 <= wait <= 60
    assert limits.retry_after("RATE_LIMIT_PER_CONVERSATION", "b") is None
    assert limits.retry_after("RATE_LIMIT_PER_IP", "a") is None  # each limit counts on its own


def test_a_limit_can_be_lifted_and_defaults_are_documented():
    limits = RateLimits({"RATE_LIMIT_SIGN_IN": "off"})
    assert all(limits.retry_after("RATE_LIMIT_SIGN_IN", "x") is None for _ in range(100))
    readme = (__import__("pathlib").Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert all(name in readme and default in readme for name, default in RATE_LIMITS.items())


def test_memory_holds_the_clients_of_the_last_window_not_every_client_ever_seen():
    limits = RateLimits({"RATE_LIMIT_PER_CONVERSATION": "1/second"})
    for number in range(PRUNE_EVERY_HITS):  # a flood of new conversations, one message each
        limits.retry_after("RATE_LIMIT_PER_CONVERSATION", f"old-{number}")
    time.sleep(1.1)  # their window is over
    limits.retry_after("RATE_LIMIT_PER_CONVERSATION", "new-0")
    time.sleep(EXPIRY_SWEEP_SECONDS + 0.2)  # the storage's expiry timer runs after a hit
    for number in range(1, PRUNE_EVERY_HITS):
        assert limits.retry_after("RATE_LIMIT_PER_CONVERSATION", f"new-{number}") is None
    kept = limits._storage.events  # one entry per key counted
    assert not any(key.endswith(f"old-{number}") for key in kept for number in (0, PRUNE_EVERY_HITS - 1))
    assert len(kept) <= PRUNE_EVERY_HITS
    assert limits.retry_after("RATE_LIMIT_PER_CONVERSATION", "new-1") is not None  # still counting
