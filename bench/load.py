"""Async load over the REST channel: scripted conversations at a given number of concurrent ones.

Two kinds of conversation, as the widget sends them (organisation and page language as metadata):
policy questions from the acceptance examples (a greeting, three questions, the source), and a full
rights request (the request, a name, an e-mail, the confirmation, the code mailed to the address)
that files a row in the tracking database. Loops are bounded by a number of conversations per level, not by time.
"""
from __future__ import annotations

import asyncio
import contextlib
import itertools
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import aiohttp
import numpy as np

from devtools import servers
from devtools.mailbox import MailSink, code_in, receiving_mail
from devtools.scoring import load_examples, reply_text
from knowledge.loading import knowledge_base

Turn = Tuple[str, Dict[str, str]]  # message, metadata
QUESTIONS_PER_CONVERSATION = 3
RIGHTS_EVERY = 4  # one conversation in four is a rights request
SOURCE_REQUEST = {"en": "source?", "fr": "montre-moi le passage"}
GREETING = {"en": "hello", "fr": "bonjour"}
# CODE: the 6-digit code the assistant mails to the address before filing, read from the bench's
# mail sink (devtools/mailbox.py) when the turn comes.
CODE = "{code}"
RIGHTS_DIALOGUES = {
    "en": ["I want {organization} to delete my data", "Jane Doe", "{email}", "yes", CODE],
    "fr": ["je veux accéder à mes données chez {organization}", "Jean Dupont", "{email}", "oui", CODE],
}
# The organisation each language's request names: one of the knowledge files', chosen by position.
RIGHTS_ORGANIZATION = {"en": -1, "fr": -2}
REQUEST_TIMEOUT_S = 120
FULL_LEVELS = {1: 12, 10: 60, 50: 100}   # concurrency: conversations (about 4.6 messages each)
SMOKE_LEVELS = {1: 2, 10: 10, 50: 50}


@dataclass
class Conversation:
    kind: str  # "policy" or "rights"
    turns: List[Turn]
    email: Optional[str] = None  # a rights request's address, where its code is mailed


def conversations() -> Iterator[Conversation]:
    """An endless, deterministic cycle of scripted conversations, alternating languages."""
    examples = load_examples()
    by_lang = {lang: [e for e in examples if e["lang"] == lang] for lang in ("fr", "en")}
    cursors = {lang: itertools.cycle(items) for lang, items in by_lang.items()}
    for number in itertools.count():
        lang = ("fr", "en")[number % 2]
        if number % RIGHTS_EVERY == RIGHTS_EVERY - 1:
            email = f"bench.{uuid.uuid4().hex[:8]}@example.com"
            organization = knowledge_base().organizations_by_name()[RIGHTS_ORGANIZATION[lang]].name
            turns = [(text if text == CODE else text.format(email=email, organization=organization), {"language": lang})
                     for text in RIGHTS_DIALOGUES[lang]]
            yield Conversation("rights", turns, email)
            continue
        questions = [next(cursors[lang]) for _ in range(QUESTIONS_PER_CONVERSATION)]
        org = questions[0].get("org")
        widget = {"language": lang, **({"organization": org} if org else {})}
        turns = [(GREETING[lang], widget)]
        turns += [(q["question"], {"language": lang, **({"organization": q["org"]} if q.get("org") else {})})
                  for q in questions]
        turns.append((SOURCE_REQUEST[lang], widget))
        yield Conversation("policy", turns)


@dataclass
class LevelResult:
    concurrency: int
    conversations: int
    latencies_ms: List[float] = field(default_factory=list)
    failures: int = 0
    requests_filed: int = 0
    elapsed_s: float = 0.0

    def summary(self) -> Dict[str, Any]:
        latencies = np.array(self.latencies_ms or [0.0])
        return {"concurrency": self.concurrency, "conversations": self.conversations,
                "messages": len(self.latencies_ms), "failures": self.failures,
                "requests_filed": self.requests_filed, "elapsed_s": round(self.elapsed_s, 3),
                "p50_ms": float(np.percentile(latencies, 50)), "p95_ms": float(np.percentile(latencies, 95)),
                "p99_ms": float(np.percentile(latencies, 99)), "mean_ms": float(latencies.mean()),
                "messages_per_s": len(self.latencies_ms) / self.elapsed_s if self.elapsed_s else 0.0}


async def _run_conversation(session: aiohttp.ClientSession, url: str, conversation: Conversation,
                            result: LevelResult, mail: MailSink) -> None:
    sender = f"bench-{uuid.uuid4().hex[:12]}"
    last = ""
    for text, metadata in conversation.turns:
        if text == CODE:  # read from the mail outside the timed turn
            try:
                received = await asyncio.to_thread(mail.wait_for, conversation.email)
            except TimeoutError:  # no code came: the request cannot be filed
                result.failures += 1
                break
            text = code_in(received[-1])
        started = time.perf_counter()
        try:
            async with session.post(f"{url}/webhooks/rest/webhook",
                                    json={"sender": sender, "message": text, "metadata": metadata}) as response:
                messages = await response.json() if response.status == 200 else []
        except (aiohttp.ClientError, asyncio.TimeoutError):
            messages = []
        result.latencies_ms.append((time.perf_counter() - started) * 1000)
        last = reply_text(messages)
        if not last:
            result.failures += 1
    if conversation.kind == "rights" and "RR-" in last:
        result.requests_filed += 1


async def run_level(url: str, concurrency: int, total_conversations: int, mail: MailSink) -> LevelResult:
    """`total_conversations` scripted conversations, `concurrency` of them at any time."""
    scripts = conversations()
    queue: asyncio.Queue = asyncio.Queue()
    for _ in range(total_conversations):
        queue.put_nowait(next(scripts))
    result = LevelResult(concurrency, total_conversations)
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)

    async def worker(session: aiohttp.ClientSession) -> None:
        while not queue.empty():
            await _run_conversation(session, url, queue.get_nowait(), result, mail)

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        started = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        result.elapsed_s = time.perf_counter() - started
    return result


async def warm_up(url: str, mail: MailSink) -> None:
    """Every example question once (each organisation's keyword patterns compiled) and a rights request."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)) as session:
        for example in load_examples():
            metadata = {"organization": example["org"]} if example.get("org") else {}
            turns = [(example["question"], metadata)]
            await _run_conversation(session, url, Conversation("policy", turns), LevelResult(1, 1), mail)
    await run_level(url, 1, RIGHTS_EVERY, mail)


def measure(url: str, levels: Dict[int, int], mail: MailSink) -> List[Dict[str, Any]]:
    """A warm-up, then each level {concurrency: conversations} in turn; `mail` receives the servers' mail."""
    asyncio.run(warm_up(url, mail))
    return [asyncio.run(run_level(url, concurrency, total, mail)).summary() for concurrency, total in levels.items()]


@contextlib.contextmanager
def served(model_dir: Path, name: str, env_extra: Optional[Dict[str, str]] = None,
           **options: Any) -> Iterator[Tuple[servers.Assistant, MailSink]]:
    """The assistant as servers.running_assistant serves it (`options` passed on), sending its mail to a
    sink of the bench's own: a rights request is filed once its mailed code is typed, as a person would."""
    with tempfile.TemporaryDirectory(prefix="bench-mail-") as folder, receiving_mail(Path(folder)) as mail:
        with servers.running_assistant(model_dir, name, env_extra={**mail.environment, **(env_extra or {})},
                                       **options) as assistant:
            yield assistant, mail
