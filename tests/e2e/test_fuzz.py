"""A bounded fuzz run against every public endpoint (issue 14): a few thousand random and hostile
messages and malformed bodies, sent concurrently to Rasa's REST webhook, to the web app (/chat, the
widget's files and texts, the demo pages, the staff sign-in form) and to the Telegram relay through
the stand-in Bot API.

Not one answer may be a 5xx. Every message accepted gets at least one bot message, and never the
apology for a broken service (the servers are up); every one refused gets a 4xx with a readable
reason (429 with Retry-After). The relay answers every update. Afterwards a normal question is
answered correctly on each channel.

Seeded: the seed is printed and given with every failure; `FUZZ_SEED=<n>` replays a run (or tries
another). The inputs are synthetic, so a failure shows the offending input as it was sent.
"""
from __future__ import annotations

import asyncio
import gzip
import json
import os
import random
import re
import urllib.parse
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import aiohttp
import pytest
import yaml
from yarl import URL

from apps.telegram.relay import UNAVAILABLE, relay_text
from apps.web.staff_auth import CSRF_FIELD, LOGIN_CSRF_COOKIE
from devtools.scoring import load_examples
from knowledge.loading import load_knowledge_base
from knowledge.texts import text
from language import LANGUAGES
from tracking.validation import MAX_BODY_BYTES, MAX_MESSAGE_LENGTH

from e2e_servers import ROOT
from fake_telegram_api import FakeTelegramApi
from test_telegram import PHOTO, STICKER, running_relay, _polling
from web_app_server import running_web_app, widget_sender

SERVER_REQUEST_CAP = 1_000_000  # Sanic's REQUEST_MAX_SIZE on Rasa and the web app (launcher.py, apps/web/app.py)

pytestmark = [pytest.mark.e2e, pytest.mark.long(minutes=1.5)]  # the file's rough duration: longest first

SEED = int(os.environ.get("FUZZ_SEED") or 14)
REST = "/webhooks/rest/webhook"
# How many of each: a few thousand inputs in all, in a few minutes on a slow machine. The messages that
# reach the dialogue cost most (about 0.15 s each on two busy cores); refused bodies and pages little.
# FUZZ_SCALE=10 runs ten times as many.
SCALE = float(os.environ.get("FUZZ_SCALE") or 1)
REST_MESSAGES, CHAT_MESSAGES, TELEGRAM_UPDATES = int(300 * SCALE), int(150 * SCALE), int(60 * SCALE)
MALFORMED_PER_ENDPOINT, PAGE_REQUESTS, SIGN_IN_POSTS = int(700 * SCALE), int(700 * SCALE), int(40 * SCALE)
CONCURRENCY = 8          # about what Rasa serves at once without making anyone wait long
TELEGRAM_BATCH = 12      # updates pushed at once to the relay
TIMEOUT = aiohttp.ClientTimeout(total=120)
KB = load_knowledge_base()
APOLOGIES = {text("channel.service_unavailable", language) for language in LANGUAGES} | \
    {relay_text(UNAVAILABLE, language) for language in LANGUAGES}
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
NORMAL_QUESTION = "How long does CESI keep my CV?"
FORM_OPENINGS = ["I want CESI to delete my data", "je veux accéder à mes données chez Akteos", "My name is Jane Doe",
                 "I want to file a complaint", "quel est le statut de ma demande RR-ABCD-1234 ?"]


# --- what a hostile person types ---------------------------------------------------------------

CONTROL = [chr(c) for c in range(0x20)] + ["\x7f"] + [chr(c) for c in range(0x80, 0xA0)]
BIDI = ["\u200e", "\u200f", "\u061c", *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A))]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e", "\ufffe", "\uffff", "\ufffd"]
EMOJI = ["😀", "👩‍👩‍👧‍👦", "🇫🇷", "👍🏽", "🏳️‍🌈", "❤️", "🤖", "🧑‍💻", "🫠", "©️", "1️⃣", "🏴󠁧󠁢󠁳󠁣󠁴󠁿"]
RTL = ["مرحبا، كم من الوقت تحتفظون ببياناتي؟", "שלום, כמה זמן אתם שומרים את המידע שלי?", "\u202eCESI حذف بياناتي",
       "أريد حذف بياناتي من CESI"]
MARKUP = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[click](javascript:alert(1))",
          "**bold** _it_ `code`", "```\nrm -rf /\n```", "{{7*7}}", "${jndi:ldap://127.0.0.1/a}", "%s%s%s%n%x",
          "{organizations}", "{0}{1}", "{limit!r:>{seconds}}", "</textarea><b>", "&lt;&#0;&#x0;", "\\u0000",
          "<!--", "]]>", "\\", "\"", "'", "# Title\n---\n> quote", "<svg/onload=alert(1)>", "javascript:alert(1)"]
SQL = ["'; DROP TABLE requests; --", "' OR '1'='1", "1; SELECT * FROM staff_users", "\" OR \"\"=\"",
       "RR-' UNION SELECT 1 --", "%' AND 1=1 --", "admin'--", "1' ORDER BY 99--"]
WHITESPACE = ["", " ", "\t", "\n\n", "\u3000", "\u00a0", "\u200b", "   \r\n ", "\u2028\u2029", "\x0b\x0c"]
BOMB_UNITS = ["!", "@", "a@", "x@y.", ".", "«", "a.", "-", "@a", "a", "é@", "(", "1 ", "+", "_@_.", "\\", "!@",
              "a-", "*", "?", "[", "é", "🤖", " ", "0", "a.b@", "\"'"]
WRONG_VALUES: List[Any] = [None, 0, -1, 1.5, True, [], {}, [1, 2], {"x": 1}, {"x": {"y": [1]}}, "", " ", "x" * 300,
                           "../../etc/passwd", [["language", "en"]], 10**30, "null", "NaN"]
SLUGS = sorted(KB.organizations)
INTENTS = [*DOMAIN["intents"], "restart", "session_start", "nlu_fallback", "back", "out_of_scope", "EXTERNAL_x",
           "action_listen", "", "intent with spaces", "ask_retention@0.9", "../x", "\u202eask_dpo"]
ENTITIES = [*DOMAIN["entities"], *DOMAIN["slots"], "", "x"]


def _codepoint(rng: random.Random) -> str:
    low, high = rng.choice([(0x20, 0x7E), (0x00, 0xFF), (0x100, 0xD7FF), (0xE000, 0xFFFF), (0x10000, 0x10FFFF)])
    return chr(rng.randint(low, high))


def random_unicode(rng: random.Random) -> str:
    return "".join(_codepoint(rng) for _ in range(rng.randint(1, 200)))


def sprinkled(rng: random.Random, base: str, pool: List[str]) -> str:
    """`base` with characters of `pool` put in at random places."""
    chars = list(base)
    for _ in range(rng.randint(1, 12)):
        chars.insert(rng.randint(0, len(chars)), rng.choice(pool))
    return "".join(chars)


def long_message(rng: random.Random) -> str:
    unit = rng.choice([*BOMB_UNITS, "How long do you keep my CV? ", "Combien de temps ? ", *EMOJI, *RTL])
    return (unit * (MAX_MESSAGE_LENGTH // len(unit) + 2))[:rng.randint(MAX_MESSAGE_LENGTH - 60, MAX_MESSAGE_LENGTH + 80)]


def regex_bomb(rng: random.Random) -> str:
    units = rng.sample(BOMB_UNITS, rng.randint(1, 3))
    return "".join(rng.choice(units) for _ in range(rng.randint(200, MAX_MESSAGE_LENGTH)))


def intent_payload(rng: random.Random) -> str:
    entities = {rng.choice(ENTITIES): rng.choice(WRONG_VALUES + SLUGS + ["fr", "en", "erasure"])
                for _ in range(rng.randint(0, 3))}
    body = rng.choice([json.dumps(entities), json.dumps(entities)[:-1], "{", "}", "", "[]", '{"a":' * 40,
                       json.dumps(rng.choice(WRONG_VALUES)), "{'organization': 'cesi'}", "{" + random_unicode(rng)])
    return "/" + rng.choice(INTENTS) + body


def question(rng: random.Random, examples: List[Dict[str, Any]]) -> str:
    return rng.choice(examples)["question"]


def hostile_message(rng: random.Random, examples: List[Dict[str, Any]], surrogates: bool = True) -> Tuple[str, str]:
    """(kind, text) of one hostile message."""
    kinds: Dict[str, Callable[[], str]] = {
        "random unicode": lambda: random_unicode(rng),
        "control characters": lambda: sprinkled(rng, question(rng, examples), CONTROL),
        "bidi and invisible": lambda: sprinkled(rng, question(rng, examples), BIDI + INVISIBLE),
        "long": lambda: long_message(rng),
        "intent payload": lambda: intent_payload(rng),
        "regex bomb": lambda: regex_bomb(rng),
        "markup": lambda: rng.choice(MARKUP) + " " + rng.choice(["", question(rng, examples)]),
        "sql": lambda: rng.choice(SQL) + rng.choice(["", " " + question(rng, examples)]),
        "emoji": lambda: "".join(rng.choice(EMOJI) for _ in range(rng.randint(1, 60))),
        "rtl": lambda: rng.choice(RTL) + rng.choice(["", " " + question(rng, examples)]),
        "whitespace": lambda: "".join(rng.choice(WHITESPACE) for _ in range(rng.randint(1, 4))),
        "mixed question": lambda: sprinkled(rng, question(rng, examples),
                                            MARKUP + SQL + EMOJI + CONTROL + BIDI + ["@", "!", "RR-"]),
    }
    if surrogates:  # valid JSON (\ud800), never valid UTF-8: only a hand-made body carries one
        kinds["lone surrogate"] = lambda: sprinkled(rng, question(rng, examples), ["\ud800", "\udfff", "\udbff"])
    kind = rng.choice(sorted(kinds))
    return kind, kinds[kind]()


def hostile_metadata(rng: random.Random) -> Optional[Dict[str, Any]]:
    roll = rng.random()
    if roll < 0.3:
        return None
    if roll < 0.6:
        return {"organization": rng.choice(SLUGS), "language": rng.choice(LANGUAGES)}
    metadata = {"organization": rng.choice(WRONG_VALUES + SLUGS + ["CESI", "cesi ", "\u202ecesi"]),
                "language": rng.choice(WRONG_VALUES + ["fr", "en", "xx", "EN-gb", "fr;q=0.5", "*"])}
    if rng.random() < 0.3:
        metadata[random_unicode(rng)[:20]] = rng.choice(WRONG_VALUES)
    return metadata


def hostile_sender(rng: random.Random) -> str:
    return rng.choice([random_unicode(rng)[:128] or "x", "default", "../../x", "a" * 128, "\u202eabc",
                       "tg-" + "0" * 32, "web-" + "x" * 10, " x ", "%00", "x\x00y", "🤖" * 20])


# --- bodies that are not a chat message ----------------------------------------------------------

def as_json(value: Any) -> bytes:
    return json.dumps(value).encode("utf-8")


def malformed_body(rng: random.Random, sender: str) -> Tuple[str, bytes, Dict[str, str]]:
    """(kind, body, headers) of one malformed request."""
    valid = {"sender": sender, "message": "How long do you keep my CV?", "metadata": {"language": "en"}}
    json_type = {"Content-Type": "application/json"}

    def wrong_type() -> bytes:
        body: Dict[str, Any] = dict(valid)
        body[rng.choice(["sender", "message", "metadata", "input_channel"])] = rng.choice(WRONG_VALUES)
        return as_json(body)

    def missing() -> bytes:
        body = dict(valid)
        for key in rng.sample(sorted(body), rng.randint(1, 3)):
            del body[key]
        return as_json(body)

    kinds: Dict[str, Callable[[], Tuple[bytes, Dict[str, str]]]] = {
        "random bytes": lambda: (rng.randbytes(rng.randint(0, 300)), json_type),
        "truncated JSON": lambda: (as_json(valid)[:rng.randint(0, len(as_json(valid)) - 1)], json_type),
        "JSON not an object": lambda: (as_json(rng.choice(WRONG_VALUES)), json_type),
        "wrong type": lambda: (wrong_type(), json_type),
        "missing fields": lambda: (missing(), json_type),
        "deeply nested": lambda: (rng.choice([b"[", b'{"a":', b'{"sender":']) * rng.randint(900, 3000), json_type),
        "nested metadata": lambda: (as_json({**valid, "metadata": None})[:-5] + b'{"a":' * 2000 + b"1" + b"}" * 2001,
                                    json_type),
        "over the size cap": lambda: (as_json({**valid, "metadata": {"x": "y" * rng.randint(MAX_BODY_BYTES, 3 * MAX_BODY_BYTES)}}),
                                      json_type),
        "wrong content type": lambda: (as_json(valid), {"Content-Type": rng.choice(
            ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml",
             "", "application/json; charset=utf-16", "*/*", "application/json\x01"])}),
        "deflate": lambda: (zlib.compress(as_json(valid)), {**json_type, "Content-Encoding": "deflate"}),
        "gzip": lambda: (gzip.compress(as_json(valid)), {**json_type, "Content-Encoding": "gzip"}),
        "invalid UTF-8": lambda: (as_json(valid).replace(b"CV", b"\xff\xfe\xc3"), json_type),
        "NaN and infinity": lambda: (b'{"sender": "%s", "message": %s}' % (sender.encode(), rng.choice(
            [b"NaN", b"Infinity", b"-Infinity", b"1e999999", b"9" * 5000])), json_type),
        "duplicate keys": lambda: (b'{"sender": "a", "sender": "%s", "message": "x", "message": 5}' % sender.encode(), json_type),
        "UTF-16": lambda: (json.dumps(valid).encode("utf-16"), json_type),
        "byte order mark": lambda: (b"\xef\xbb\xbf" + as_json(valid), json_type),
    }
    kind = "huge" if rng.random() < 0.01 else rng.choice(sorted(kinds))  # over the servers' own cap
    body, headers = (b"{" + b" " * rng.randint(1_100_000, 3_000_000) + b"}", json_type) if kind == "huge" \
        else kinds[kind]()
    return kind, body, headers


# --- sending and judging -------------------------------------------------------------------------

@dataclass
class Findings:
    """Every input that got a wrong answer, with what was wrong."""
    sent: int = 0
    problems: List[str] = field(default_factory=list)

    def check(self, where: str, kind: str, sent: Any, problem: Optional[str]) -> None:
        self.sent += 1
        if problem:
            self.problems.append(f"{where} [{kind}] {problem}; input: {ascii(sent)[:400]}")

    def assert_none(self) -> None:
        print(f"fuzz seed {SEED}: {self.sent} inputs, {len(self.problems)} wrong answers")
        assert not self.problems, f"FUZZ_SEED={SEED}: {len(self.problems)} of {self.sent} inputs got a wrong " \
                                  "answer:\n" + "\n".join(self.problems[:25])


async def fetch(session: aiohttp.ClientSession, method: str, url: Any, body: Optional[bytes] = None,
                headers: Optional[Dict[str, str]] = None) -> Tuple[int, Any, Dict[str, str]]:
    """(status, JSON or text, headers); status 0 when the connection failed."""
    try:
        async with session.request(method, url, data=body, headers=headers or {}, allow_redirects=False) as answer:
            raw = await answer.read()
            try:
                payload: Any = json.loads(raw)
            except ValueError:
                payload = raw.decode("utf-8", "replace")
            return answer.status, payload, dict(answer.headers)
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:  # a reset arrives as ConnectionError
        return 0, f"{type(error).__name__}: {error}", {}


def chat_problem(status: int, payload: Any, headers: Dict[str, str]) -> Optional[str]:
    """What is wrong with the answer to a chat message (REST webhook, /chat), if anything."""
    if status == 200:
        texts = [str(m.get("text") or "") for m in payload if isinstance(m, dict)] if isinstance(payload, list) else []
        if not any(t.strip() for t in texts):
            return f"silent: 200 with {ascii(payload)[:200]}"
        if APOLOGIES & {t.strip() for t in texts}:
            return "the service-unavailable apology, with the servers up"
        return None
    if 400 <= status < 500:
        if status == 413 and str(payload.get("message") or "" if isinstance(payload, dict) else payload).strip():
            return None  # Sanic's own cap, before any route: its sentence (JSON from Rasa's, text from the web app's)
        if not (isinstance(payload, dict) and isinstance(payload.get("error"), str) and payload["error"].strip()):
            return f"{status} without a reason: {ascii(payload)[:200]}"
        if status == 429 and not headers.get("Retry-After"):
            return "429 without Retry-After"
        return None
    return f"HTTP {status}: {ascii(payload)[:300]}"


def page_problem(method: str, status: int, payload: Any) -> Optional[str]:
    """What is wrong with the answer to a page or file request, if anything."""
    if status == 0 or status >= 500:
        return f"HTTP {status}: {ascii(payload)[:300]}"
    if status >= 400 and method != "HEAD" and not str(payload).strip():  # HEAD: the headers only
        return f"{status} without a reason"
    return None


async def bounded(jobs: List[Callable[[], Any]], concurrency: int = CONCURRENCY) -> None:
    semaphore = asyncio.Semaphore(concurrency)

    async def run(job: Callable[[], Any]) -> None:
        async with semaphore:
            await job()

    await asyncio.gather(*(run(job) for job in jobs))


def sent_json(body: Dict[str, Any]) -> bytes:
    """As a client that escapes everything sends it (ensure_ascii): lone surrogates travel as \\ud800."""
    return json.dumps(body).encode("ascii")


async def fuzz_chat(url: str, bodies: Iterator[Tuple[str, bytes, Dict[str, str], Any]], findings: Findings,
                    where: str, concurrency: int = CONCURRENCY) -> List[int]:
    statuses: List[int] = []

    def job(kind: str, body: bytes, headers: Dict[str, str], shown: Any) -> Callable[[], Any]:
        async def send() -> None:
            status, payload, answer_headers = await fetch(session, "POST", url, body, headers)
            statuses.append(status)
            # Over Sanic's cap the server answers 413 and may close the connection before the upload ends:
            # the client then sees the connection lost instead of the 413. A refusal either way.
            cut_off = status == 0 and len(body) > SERVER_REQUEST_CAP
            findings.check(where, kind, shown, None if cut_off else chat_problem(status, payload, answer_headers))
        return send

    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        await bounded([job(*item) for item in bodies], concurrency)
    return statuses


def message_bodies(rng: random.Random, count: int, sender: Callable[[int], str], hostile_senders: bool = False,
                   ) -> Iterator[Tuple[str, bytes, Dict[str, str], Any]]:
    examples = load_examples()
    for number in range(count):
        kind, message = hostile_message(rng, examples)
        body: Dict[str, Any] = {"sender": hostile_sender(rng) if hostile_senders and rng.random() < 0.15
                                else sender(number), "message": message}
        metadata = hostile_metadata(rng)
        if metadata is not None:
            body["metadata"] = metadata
        yield kind, sent_json(body), {"Content-Type": "application/json"}, body


def malformed_bodies(rng: random.Random, count: int, sender: Callable[[int], str],
                     ) -> Iterator[Tuple[str, bytes, Dict[str, str], Any]]:
    for number in range(count):
        kind, body, headers = malformed_body(rng, sender(number))
        yield kind, body, headers, (headers, body[:300])


def answered_correctly(replies_text: str) -> bool:
    cesi = KB.organizations["cesi"]
    return any(fact.answer["en"] in replies_text for fact in cesi.facts)


# --- the servers ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def web(assistant, tracking_db_url):
    """The web app with the chat limits lifted: the whole fuzz run comes from one address."""
    with running_web_app(tracking_db_url, rasa_url=assistant.url,
                         env_extra={"RATE_LIMIT_PER_IP": "off", "RATE_LIMIT_PER_CONVERSATION": "off"}) as base:
        yield base


@pytest.fixture(scope="module")
def rng() -> random.Random:
    print(f"fuzz seed: {SEED} (FUZZ_SEED={SEED} replays this run)")
    return random.Random(SEED)


# --- the tests -----------------------------------------------------------------------------------

def test_the_rest_webhook_answers_every_hostile_message_and_refuses_every_malformed_body(assistant, rng):
    findings = Findings()
    # Conversations of up to six messages, so that hostile input also lands in the middle of a form.
    run = rng.getrandbits(32)

    def sender(number: int) -> str:
        return f"fuzz-{run:x}-{number // 6}"

    async def go() -> None:
        await fuzz_chat(assistant.url + REST, message_bodies(rng, REST_MESSAGES, sender, hostile_senders=True),
                        findings, "REST")
        await fuzz_chat(assistant.url + REST, malformed_bodies(rng, MALFORMED_PER_ENDPOINT, sender), findings,
                        "REST malformed")

    for number in range(0, REST_MESSAGES, 6 * 8):  # one conversation in eight is inside a request form first
        assistant.say(rng.choice(FORM_OPENINGS), sender(number))
    asyncio.run(go())
    findings.assert_none()
    assert answered_correctly(assistant.text(NORMAL_QUESTION, assistant.new_sender()))


def test_the_rest_webhook_tells_a_conversation_sending_too_fast_to_wait(assistant, rng):
    findings = Findings()
    sender = f"fuzz-burst-{rng.getrandbits(32):x}"
    statuses = asyncio.run(fuzz_chat(assistant.url + REST, message_bodies(rng, 45, lambda _n: sender), findings,
                                     "REST burst", concurrency=45))
    findings.assert_none()
    assert 429 in statuses and statuses.count(200) <= 30  # 30 a minute in one conversation (tracking/validation.py)


def test_chat_answers_every_hostile_message_and_refuses_every_malformed_body(web, rng):
    findings = Findings()
    issued: Dict[int, str] = {}

    def sender(number: int) -> str:  # conversations of four messages, each with an id the web app signed
        if number // 4 not in issued:
            issued[number // 4] = widget_sender(web)
        return issued[number // 4]

    async def go() -> None:
        await fuzz_chat(web + "/chat", message_bodies(rng, CHAT_MESSAGES, sender, hostile_senders=True), findings,
                        "/chat")
        await fuzz_chat(web + "/chat", malformed_bodies(rng, MALFORMED_PER_ENDPOINT, sender), findings,
                        "/chat malformed")

    asyncio.run(go())
    findings.assert_none()
    status, replies, _ = asyncio.run(_post_json(web + "/chat", {"sender": widget_sender(web), "message": NORMAL_QUESTION,
                                                                "metadata": {"organization": "cesi"}}))
    assert status == 200 and answered_correctly("\n".join(r["text"] for r in replies))


async def _post_json(url: str, body: Dict[str, Any]) -> Tuple[int, Any, Dict[str, str]]:
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        return await fetch(session, "POST", url, as_json(body), {"Content-Type": "application/json"})


def test_chat_tells_an_address_sending_too_fast_to_wait(assistant, tracking_db_url, rng):
    findings = Findings()
    with running_web_app(tracking_db_url, rasa_url=assistant.url, env_extra={"RATE_LIMIT_PER_IP": "20/minute"}) as base:
        senders = [widget_sender(base) for _ in range(4)]
        statuses = asyncio.run(fuzz_chat(base + "/chat", message_bodies(rng, 40, lambda n: senders[n % 4]),
                                         findings, "/chat burst"))
    findings.assert_none()
    assert 429 in statuses


def _page_requests(rng: random.Random, base: str) -> Iterator[Tuple[str, str, Any, Optional[bytes], Dict[str, str]]]:
    """(kind, method, URL, body, headers) of hostile requests to the web app's public pages and files."""
    examples = load_examples()

    def garbage() -> str:
        return rng.choice([hostile_message(rng, examples)[1][:300], random_unicode(rng), "../" * 10 + "etc/passwd",
                           "%00", "%", "%zz", "javascript:alert(1)", "//attacker.example/", "\\\\x", "*", "?&=#"])

    def quoted() -> str:
        return urllib.parse.quote(garbage().encode("utf-8", "surrogatepass"), safe="")

    def header() -> str:  # what a header may carry: no line breaks, Latin-1
        return "".join(c for c in garbage() if " " <= c <= "~" or "\xa0" <= c <= "\xff")[:200]

    paths = [lambda: f"/demo/{quoted()}", lambda: f"/demo/{rng.choice(SLUGS)}?lang={quoted()}",
             lambda: f"/?lang={quoted()}", lambda: f"/demo?lang={quoted()}&{quoted()}={quoted()}",
             lambda: f"/widget/texts?lang={quoted()}", lambda: f"/{rng.choice(['widget.js', 'widget.css', 'demo.css', 'console.css'])}?{quoted()}",
             lambda: f"/console/login?next={quoted()}&lang={quoted()}", lambda: f"/{quoted()}",
             lambda: f"/console/requests/{quoted()}", lambda: f"/console/{quoted()}", lambda: "/widget.js/..%2f..%2fapp.py",
             lambda: f"/demo/{quoted()}/{quoted()}"]
    for _ in range(PAGE_REQUESTS):
        method = rng.choice(["GET"] * 6 + ["HEAD", "OPTIONS", "POST", "PUT", "DELETE", "PATCH"])
        headers = {name: header() for name in rng.sample(["Accept-Language", "Cookie", "Origin", "Referer",
                                                          "If-Modified-Since", "Range", "X-Forwarded-For"],
                                                         rng.randint(0, 3))}
        yield "page", method, URL(base + rng.choice(paths)(), encoded=True), None, headers


def _sign_in_posts(rng: random.Random, base: str, token: str) -> Iterator[Tuple[str, str, Any, Optional[bytes], Dict[str, str]]]:
    examples = load_examples()
    form = "application/x-www-form-urlencoded"
    for _ in range(SIGN_IN_POSTS):
        fields = {"username": hostile_message(rng, examples, surrogates=False)[1][:500],
                  "password": hostile_message(rng, examples, surrogates=False)[1][:500],
                  "next": rng.choice(["/console", "//attacker.example", "javascript:alert(1)", random_unicode(rng)])}
        with_token = rng.random() < 0.5  # past the CSRF check: the password check itself
        if with_token:
            fields[CSRF_FIELD] = token
        body = rng.choice([urllib.parse.urlencode(fields).encode(), rng.randbytes(rng.randint(0, 200)),
                           as_json(fields), urllib.parse.urlencode(fields).encode()[:rng.randint(0, 50)]])
        headers = {"Content-Type": rng.choice([form, form, "multipart/form-data", "text/plain", "application/json"])}
        if with_token:
            headers["Cookie"] = f"{LOGIN_CSRF_COOKIE}={token}"
        yield "sign-in", "POST", base + "/console/login", body, headers


def test_the_web_apps_public_pages_and_the_sign_in_form_never_fail(web, rng):
    findings = Findings()

    async def go() -> None:
        async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
            status, form, _headers = await fetch(session, "GET", web + "/console/login")
            found = re.search(rf'name="{CSRF_FIELD}" value="([^"]+)"', str(form))
            assert status == 200 and found, form
            token = found.group(1)
            requests = [*_page_requests(rng, web), *_sign_in_posts(rng, web, token)]

            def job(kind: str, method: str, url: Any, body: Optional[bytes], headers: Dict[str, str]):
                async def send() -> None:
                    status, payload, _ = await fetch(session, method, url, body, headers)
                    findings.check("web", kind, (method, str(url), headers, body), page_problem(method, status, payload))
                return send

            await bounded([job(*request) for request in requests])

    asyncio.run(go())
    findings.assert_none()


def _telegram_updates(rng: random.Random, api: FakeTelegramApi, chats: List[int]) -> Iterator[Tuple[str, Dict[str, Any], int]]:
    """(kind, update, chat) of hostile updates, one per chat: texts, commands, edits, buttons never sent,
    stickers, photos, messages in groups."""
    examples = load_examples()
    for chat in chats:
        language = rng.choice(["en", "fr", "fr-CA", "de", "", "xx"])
        roll = rng.random()
        if roll < 0.75:
            kind, typed = hostile_message(rng, examples, surrogates=False)
            typed = typed.strip() or "?"  # Telegram delivers no blank message
            content: Dict[str, Any] = {"text": typed[:4096]}
            if typed.startswith("/"):
                content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(typed.split()[0])}]
            yield kind, {"message": api.message(chat, language, **content)}, chat
        elif roll < 0.85:
            message = api.message(chat, language, text=hostile_message(rng, examples, surrogates=False)[1].strip() or "x",
                                  edit_date=1)
            yield "edited", {"edited_message": message}, chat
        elif roll < 0.95:
            data = rng.choice(["org:" + random_unicode(rng)[:20], "lang:" + random_unicode(rng)[:20], "r:" + "x" * 60,
                               random_unicode(rng)[:30], "org:cesi", "lang:fr", "org:", "r:"])[:64]
            message = api.message(chat, language, text="(the message with the keyboard)")
            yield "button", {"callback_query": {"id": f"cq-fuzz-{chat}", "from": api.user(chat, language),
                                                "chat_instance": f"ci-{chat}", "data": data, "message": message}}, chat
        else:
            yield "not text", {"message": api.message(chat, language, **rng.choice([STICKER, PHOTO]))}, chat


def test_the_telegram_relay_answers_every_hostile_update(assistant, rng):
    token = "1000014:relay-e2e-fuzz"
    findings = Findings()
    chats = [2 * 10**9 + rng.randrange(10**9) for _ in range(TELEGRAM_UPDATES)]
    with FakeTelegramApi() as api, running_relay(api, token, assistant.url, "fuzz", _polling) as relay:
        updates = list(_telegram_updates(rng, api, chats))
        for start in range(0, len(updates), TELEGRAM_BATCH):
            batch = updates[start:start + TELEGRAM_BATCH]
            since = api.mark(token)
            for _kind, update, _chat in batch:
                api.push(token, update)
            waiting = {chat for _kind, _update, chat in batch}

            def answered(calls) -> bool:
                return waiting <= {c.params.get("chat_id") for c in calls[since:] if c.method == "sendMessage"}

            try:
                calls = api.wait_for(token, answered, timeout=120)
            except TimeoutError:
                calls = api.calls(token)
            for kind, update, chat in batch:
                sent = [c.params.get("text") or "" for c in calls[since:]
                        if c.method == "sendMessage" and c.params.get("chat_id") == chat]
                problem = ("no reply" if not sent else "an empty reply" if not all(t.strip() for t in sent)
                           else "the service-unavailable apology" if APOLOGIES & set(sent) else None)
                findings.check("Telegram", kind, update, problem)
            assert relay.poll() is None, "the relay stopped"
        since = api.mark(token)
        chat = 3 * 10**9 + rng.randrange(10**9)
        api.send_text(token, chat, NORMAL_QUESTION)
        replies = api.replies(token, chat, since)
    findings.assert_none()
    assert answered_correctly("\n".join(reply["text"] for reply in replies))
