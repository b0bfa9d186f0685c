"""The rate limits shared by the REST channel and the web app (tracking/validation.py)."""
from __future__ import annotations

import gc

from tracking.validation import RATE_LIMITS, RateLimits


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
