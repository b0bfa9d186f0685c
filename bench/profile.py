"""Where a message's time goes: Rasa loaded in this process, the action server beside it.

Rasa's own work runs on its event loop thread, so wall-clock timers around its steps give the
share of each: NLU (per component, from cProfile: the graph runs synchronously), dialogue policies,
the action server round trip (payload built from the whole tracker and the domain, HTTP, the
action, the reply) and the tracker store. The action calls are recorded and replayed here through
the SDK's executor, warm, under cProfile: that splits the action server's side into the actions'
own work, the tracking database and the rest, and what remains of the round trip is HTTP and
JSON. A long conversation shows how latency and the action payload grow with the tracker.
"""
from __future__ import annotations

import asyncio
import cProfile
import contextlib
import inspect
import json
import logging
import os
import pstats
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import jsonschema
import numpy as np
import yaml

from bench import load
from devtools import servers
from rasa_extensions import endpoints, launcher as rasa_server
from devtools.scoring import load_examples
from tracking import config as tracking_config

NLU_COMPONENT_FILES = ("rasa/nlu/", "rasa_extensions/language_extractor.py")


class StepTimer:
    """Wall-clock time spent in wrapped coroutine or plain methods, per step name."""

    def __init__(self) -> None:
        self.seconds: Dict[str, float] = defaultdict(float)
        self.calls: Dict[str, int] = defaultdict(int)
        self._patched: List[Tuple[Any, str, Any]] = []

    def wrap(self, owner: Any, attribute: str, step: str) -> None:
        original = getattr(owner, attribute)
        timer = self

        if asyncio.iscoroutinefunction(original):
            async def timed(*args: Any, **kwargs: Any) -> Any:
                started = time.perf_counter()
                try:
                    return await original(*args, **kwargs)
                finally:
                    timer.seconds[step] += time.perf_counter() - started
                    timer.calls[step] += 1
        else:
            def timed(*args: Any, **kwargs: Any) -> Any:
                started = time.perf_counter()
                try:
                    return original(*args, **kwargs)
                finally:
                    timer.seconds[step] += time.perf_counter() - started
                    timer.calls[step] += 1
        raw = inspect.getattr_static(owner, attribute)
        self._patched.append((owner, attribute, raw))
        setattr(owner, attribute, staticmethod(timed) if isinstance(raw, staticmethod) else timed)

    def restore(self) -> None:
        for owner, attribute, original in reversed(self._patched):
            setattr(owner, attribute, original)


def _rasa_steps(timer: StepTimer, payloads: List[Dict[str, Any]]) -> None:
    from rasa.core.actions.action import RemoteAction
    from rasa.core.processor import MessageProcessor
    from rasa_extensions.tracker_store import PickledInMemoryTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import EndpointConfig

    timer.wrap(MessageProcessor, "handle_message", "total")
    timer.wrap(MessageProcessor, "parse_message", "nlu")
    timer.wrap(MessageProcessor, "predict_next_with_tracker_if_should", "policies")
    timer.wrap(RemoteAction, "run", "action server round trip")
    timer.wrap(DialogueStateTracker, "current_state", "tracker serialisation (in the round trip)")
    timer.wrap(Domain, "as_dict", "domain serialisation (in the round trip)")
    timer.wrap(EndpointConfig, "request", "HTTP request to the action server (in the round trip)")
    timer.wrap(RemoteAction, "_utter_responses", "responses rendered from the domain (in the round trip)")
    timer.wrap(RemoteAction, "_validate_action_result", "response checked against its JSON schema (in the round trip)")
    timer.wrap(PickledInMemoryTrackerStore, "retrieve", "tracker store")  # the store endpoints.yml names
    timer.wrap(PickledInMemoryTrackerStore, "save", "tracker store")
    original_format = RemoteAction._action_call_format

    def measured_format(self: RemoteAction, tracker: Any, domain: Any) -> Dict[str, Any]:
        body = original_format(self, tracker, domain)
        payloads.append(json.loads(json.dumps(body)))  # a copy, as the action server receives it
        return body
    timer._patched.append((RemoteAction, "_action_call_format", original_format))
    RemoteAction._action_call_format = measured_format


def _nlu_components(profile: cProfile.Profile, nlu_seconds: float) -> Dict[str, float]:
    """Seconds in each NLU component's `process` (the graph runs them synchronously), cProfile's
    cumulative times scaled to the unprofiled NLU time."""
    stats = pstats.Stats(profile)
    result: Dict[str, float] = {}
    for (filename, _, function), (_, _, _, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        if function == "process" and any(part in filename for part in NLU_COMPONENT_FILES):
            result[Path(filename).stem] = result.get(Path(filename).stem, 0.0) + cumulative
    scale = nlu_seconds / sum(result.values()) if result else 0.0
    return {name: seconds * scale for name, seconds in sorted(result.items(), key=lambda item: -item[1])}


def _action_side(payloads: List[Dict[str, Any]]) -> Dict[str, float]:
    """Replays the recorded action calls through the SDK's executor: seconds in each part, warm."""
    from rasa_sdk.executor import ActionExecutor

    logging.getLogger("rasa_sdk").setLevel(logging.ERROR)  # the forms' per-slot notes, for every replay
    executor = ActionExecutor()
    executor.register_package("actions")

    async def replay() -> float:
        started = time.perf_counter()
        for body in payloads:
            await executor.run(json.loads(json.dumps(body)))
        return time.perf_counter() - started

    asyncio.run(replay())  # warm: keyword patterns compiled, knowledge loaded
    profiler = cProfile.Profile()
    profiler.enable()
    asyncio.run(replay())
    profiler.disable()
    wall = asyncio.run(replay())
    started = time.perf_counter()
    for body in payloads:
        json.loads(json.dumps(body))
    json_seconds = time.perf_counter() - started
    split = {"actions (answer logic, forms)": 0.0, "tracking database": 0.0}
    stats = pstats.Stats(profiler)
    total_profiled = 0.0
    for (filename, _, function), (_, _, _, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        if filename.endswith("rasa_sdk/executor.py") and function == "run":
            total_profiled += cumulative
        elif "/actions/" in filename and function in ("run", "validate") and "site-packages" not in filename:
            split["actions (answer logic, forms)"] += cumulative
        elif filename.endswith("tracking/service.py") and not function.startswith("_"):
            split["tracking database"] += cumulative
    # cProfile slows Python code down: its shares are scaled to the unprofiled wall time.
    scale = wall / total_profiled if total_profiled else 0.0
    split = {part: seconds * scale for part, seconds in split.items()}
    split["tracker rebuilt from the payload, executor"] = max(0.0, wall - sum(split.values()))
    split["JSON encode + decode of the payload"] = json_seconds
    return split


async def _warm_up(agent: Any) -> None:
    """Every example question once: each organisation's keyword patterns compiled, caches filled."""
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    for example in load_examples():
        metadata = {"organization": example["org"]} if example.get("org") else None
        await agent.handle_message(UserMessage(example["question"], CollectingOutputChannel(),
                                               f"profile-warm-{uuid.uuid4().hex[:8]}", metadata=metadata))


async def _converse(agent: Any, conversations: int) -> None:
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    scripts = load.conversations()
    for _ in range(conversations):
        conversation = next(scripts)
        sender = f"profile-{uuid.uuid4().hex[:10]}"
        for text, metadata in conversation.turns:
            await agent.handle_message(UserMessage(text, CollectingOutputChannel(), sender, metadata=metadata))


async def _long_conversation(agent: Any, turns: int, timer: StepTimer, payloads: List[Dict[str, Any]]) -> List[Dict]:
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    questions = [e for e in load_examples() if e["lang"] == "en" and e.get("org")]
    sender, rows = f"profile-long-{uuid.uuid4().hex[:8]}", []
    for turn in range(turns):
        example = questions[turn % len(questions)]
        before, steps_before = len(payloads), dict(timer.seconds)
        started = time.perf_counter()
        await agent.handle_message(UserMessage(example["question"], CollectingOutputChannel(), sender,
                                               metadata={"organization": example["org"]}))
        rows.append({"turn": turn + 1, "ms": (time.perf_counter() - started) * 1000,
                     "payload_kb": max([len(json.dumps(p)) for p in payloads[before:]] or [0]) / 1024,
                     "steps_ms": {step: 1000 * (seconds - steps_before.get(step, 0.0))
                                  for step, seconds in timer.seconds.items()}})
    return rows


@contextlib.contextmanager
def _action_server() -> Iterator[str]:
    with servers.running_action_server("profile") as (url, env):
        os.environ[tracking_config.URL_VARIABLE] = env[tracking_config.URL_VARIABLE]  # for the replay here
        yield url


def _share(seconds: Dict[str, float], messages: int) -> Dict[str, float]:
    return {step: 1000 * value / messages for step, value in seconds.items()}


def profile(model_dir: Path, conversations: int, long_turns: int) -> Dict[str, Any]:
    """Per-message milliseconds in each step, over `conversations` scripted conversations in a row."""
    from rasa.core.agent import load_agent
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.endpoints import EndpointConfig
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    jsonschema.validate = rasa_server.validate  # as `python -m rasa_extensions.launcher` serves
    with _action_server() as action_url:
        async def run() -> Dict[str, Any]:
            served = yaml.safe_load(endpoints.endpoints_yaml(action_url))
            agent = await load_agent(model_path=str(servers.latest_model(model_dir)), endpoints=AvailableEndpoints(
                action=EndpointConfig.from_dict(served["action_endpoint"]),
                tracker_store=EndpointConfig.from_dict(served["tracker_store"])))
            await _warm_up(agent)
            timer, payloads = StepTimer(), []
            _rasa_steps(timer, payloads)
            try:
                await _converse(agent, conversations)
                steps, messages, calls = dict(timer.seconds), timer.calls["total"], list(payloads)
                long_rows = await _long_conversation(agent, long_turns, timer, payloads)
            finally:
                timer.restore()
            profiler = cProfile.Profile()  # a second pass, for the NLU components' shares only
            profiler.enable()
            await _converse(agent, conversations)
            profiler.disable()
            sizes = [len(json.dumps(p)) for p in calls]
            return {"messages": messages, "ms_per_message": _share(steps, messages),
                    "nlu_components_ms": _share(_nlu_components(profiler, steps.get("nlu", 0.0)), messages),
                    "payload_kb_median": float(np.median(sizes)) / 1024 if sizes else 0.0,
                    "action_calls": calls, "long_conversation": long_rows,
                    "measured_at": time.strftime("%Y-%m-%d %H:%M %Z")}
        result = asyncio.run(run())
        calls = result.pop("action_calls")
        result["action_calls_per_message"] = len(calls) / result["messages"]
        result["action_server_ms"] = _share(_action_side(calls), result["messages"])
    return result
