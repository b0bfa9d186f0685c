"""Memory under a flood of new conversations (issue 14): N new conversations of one message each,
sent over the REST channel, with Rasa's resident memory sampled before, during and after.

Conversations expire after CONVERSATION_TTL seconds idle (rasa_extensions/tracker_store.py): the
flood runs with a short TTL so that eviction shows within the run, and, in the full run, once more
with the shipped default (a day), where nothing is evicted, for comparison. Meanwhile one legitimate
conversation asks the acceptance examples of one organisation in one language, one after the other, and each of its
answers is timed and scored (devtools/scoring.py: the rules of `make eval`). Bounded by a number of
conversations, not by time.
"""
from __future__ import annotations

import asyncio
import itertools
import statistics
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional

import aiohttp

from bench import load
from bench.sampling import PeriodicSampler
from devtools import servers
from devtools.scoring import failures_of, load_examples, reply_text
from tracking.config import CONVERSATION_TTL_VARIABLE, DEFAULT_CONVERSATION_TTL_SECONDS

FULL_CONVERSATIONS, SMOKE_CONVERSATIONS = 3000, 100
FULL_TTL_S, SMOKE_TTL_S = 30, 5
CONCURRENCY = 8
SAMPLE_EVERY_S = 0.5
# Between the legitimate person's questions: under the 30 messages a minute one conversation may send
# (tracking/validation.py), whatever the latency; faster, some of its questions get the 429.
LEGITIMATE_PAUSE_S = 2.5


class RssSampler(PeriodicSampler[Dict[str, float]]):
    """Samples the Rasa process tree's resident memory (VmRSS) with the flood's progress."""

    def __init__(self, pid: int, progress: List[int]) -> None:
        super().__init__(SAMPLE_EVERY_S)
        self._pid, self._progress = pid, progress
        self._started = time.monotonic()

    def measure(self) -> Dict[str, float]:
        return {"s": round(time.monotonic() - self._started, 2), "conversations": self._progress[0],
                "rss_mb": round(servers.rss_mb(self._pid), 1)}


def _first_messages() -> itertools.cycle:
    """What each new conversation says: the acceptance questions in turn, with their organisation."""
    return itertools.cycle([(e["question"], {"organization": e["org"]} if e.get("org") else {})
                            for e in load_examples()])


async def _flood(url: str, count: int, progress: List[int]) -> Dict[str, Any]:
    firsts = _first_messages()
    queue: asyncio.Queue = asyncio.Queue()
    for _ in range(count):
        queue.put_nowait(next(firsts))
    unanswered = 0
    prefix = f"flood-{uuid.uuid4().hex[:6]}"

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal unanswered
        while not queue.empty():
            text, metadata = queue.get_nowait()
            body = {"sender": f"{prefix}-{progress[0]}-{uuid.uuid4().hex[:6]}", "message": text, "metadata": metadata}
            try:
                async with session.post(f"{url}/webhooks/rest/webhook", json=body) as response:
                    replies = await response.json() if response.status == 200 else []
            except (aiohttp.ClientError, asyncio.TimeoutError):
                replies = []
            unanswered += not reply_text(replies)
            progress[0] += 1

    started = time.perf_counter()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=load.REQUEST_TIMEOUT_S)) as session:
        await asyncio.gather(*(worker(session) for _ in range(CONCURRENCY)))
    elapsed = time.perf_counter() - started
    return {"unanswered": unanswered, "elapsed_s": round(elapsed, 1), "per_s": round(count / elapsed, 1)}


async def _legitimate(url: str, done: asyncio.Event) -> Dict[str, Any]:
    """One person's conversation while the flood runs: the examples of one organisation, in turn."""
    examples = load_examples()
    organization = statistics.mode(e["org"] for e in examples if e.get("org"))
    language = statistics.mode(e["lang"] for e in examples if e.get("org") == organization)
    # One person speaks one language: the conversation keeps the language it was first spoken in.
    own = itertools.cycle([e for e in examples if e.get("org") == organization and e["lang"] == language])
    sender = f"legitimate-{uuid.uuid4().hex[:8]}"
    latencies, correct, asked, refused = [], 0, 0, 0
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=load.REQUEST_TIMEOUT_S)) as session:
        while not done.is_set():
            example = next(own)
            started = time.perf_counter()
            try:
                async with session.post(f"{url}/webhooks/rest/webhook", json={
                        "sender": sender, "message": example["question"],
                        "metadata": {"organization": organization}}) as response:
                    replies = await response.json() if response.status == 200 else []
                    refused += response.status == 429
            except (aiohttp.ClientError, asyncio.TimeoutError):
                replies = []
            latencies.append((time.perf_counter() - started) * 1000)
            asked += 1
            correct += not failures_of(example, reply_text(replies))
            with_pause = asyncio.ensure_future(done.wait())
            await asyncio.wait([with_pause], timeout=LEGITIMATE_PAUSE_S)
            with_pause.cancel()
    return {"asked": asked, "correct": correct, "refused_429": refused, "p50_ms": round(statistics.median(latencies or [0]), 0),
            "p95_ms": round(_percentile(latencies, 95), 0), "max_ms": round(max(latencies or [0]), 0),
            "organization": organization}


def _percentile(values: List[float], percent: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(percent / 100 * (len(ordered) - 1))))]


async def _run(url: str, count: int, progress: List[int]) -> Dict[str, Any]:
    done = asyncio.Event()
    legitimate = asyncio.ensure_future(_legitimate(url, done))
    flood = await _flood(url, count, progress)
    done.set()
    return {**flood, "legitimate": await legitimate}


def measure_one(model_dir: Path, count: int, ttl_s: int) -> Dict[str, Any]:
    """One server run: warm-up, `count` new conversations, then a wait past the TTL."""
    progress = [0]
    with load.served(model_dir, f"flood-ttl{ttl_s}", env_extra={CONVERSATION_TTL_VARIABLE: str(ttl_s)}) as (assistant, mail):
        asyncio.run(load.warm_up(assistant.url, mail))
        with RssSampler(assistant.rasa.pid, progress) as sampler:
            before = sampler.sample()
            figures = asyncio.run(_run(assistant.url, count, progress))
            during = sampler.sample()
            # Past the TTL, one message sweeps the idle conversations out (swept on saves and reads).
            time.sleep(min(ttl_s, 90) + 2)
            servers.say(assistant.url, "hello", f"flood-after-{uuid.uuid4().hex[:8]}")
            time.sleep(1)
            after = sampler.sample()
    return {"ttl_s": ttl_s, "conversations": count, "concurrency": CONCURRENCY, "before_mb": before["rss_mb"],
            "end_of_flood_mb": during["rss_mb"], "after_mb": after["rss_mb"], **figures,
            **_growth(sampler.samples, count), "samples": sampler.samples}


def _growth(samples: List[Dict[str, float]], count: int) -> Dict[str, Any]:
    """MB per 1,000 conversations over the first and the second half of the flood, from the samples."""
    def rss_at(conversations: float) -> Optional[float]:
        point = next((s for s in samples if s["conversations"] >= conversations), None)
        return point["rss_mb"] if point else None

    start, middle, end = rss_at(1), rss_at(count / 2), rss_at(count)
    half = count / 2 / 1000
    if start is None or middle is None or end is None:
        return {}
    first, second = (middle - start) / half, (end - middle) / half
    # A plateau: the second half grows by less than a quarter of the first's rate (or under 1 MB per 1,000).
    return {"mb_per_1000_first_half": round(first, 2), "mb_per_1000_second_half": round(second, 2),
            "mb_per_1000": round((end - start) / (count / 1000), 2),
            "plateau": bool(second <= max(1.0, first / 4))}


def measure(model_dir: Path, smoke: bool) -> Dict[str, Any]:
    """The flood with a short TTL, and (full run) with the default TTL for comparison."""
    count = SMOKE_CONVERSATIONS if smoke else FULL_CONVERSATIONS
    runs = [measure_one(model_dir, count, SMOKE_TTL_S if smoke else FULL_TTL_S)]
    if not smoke:
        runs.append(measure_one(model_dir, count, DEFAULT_CONVERSATION_TTL_SECONDS))
    for run in runs:
        print(f"  flood, TTL {run['ttl_s']} s: {run['before_mb']:.0f} → {run['end_of_flood_mb']:.0f} → "
              f"{run['after_mb']:.0f} MB; {run.get('mb_per_1000', float('nan'))} MB per 1,000 conversations; "
              f"legitimate {run['legitimate']['correct']}/{run['legitimate']['asked']} correct, "
              f"p50 {run['legitimate']['p50_ms']:.0f} ms", flush=True)
    return {"runs": runs}
