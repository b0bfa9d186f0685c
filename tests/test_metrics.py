"""The Prometheus metrics (tracking/metrics.py): what each event adds, what a scrape shows and to whom,
several worker processes summed, and the relay's own listener."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from aiohttp import web

from apps.rasa_client import RasaClient
from apps.telegram.config import ConfigurationError, RelaySettings
from apps.telegram.probes import serve_probes
from devtools.mailbox import receiving_mail
from devtools.scraping import sample
from devtools.servers import free_port
from tracking import config, mail, metrics, service
from tracking.unit_of_work import UnitOfWork
from tracking.validation import RateLimits

ROOT = Path(__file__).resolve().parent.parent


def now() -> str:
    return metrics.exposition()[0].decode()


def test_a_filed_request_counts_once_for_its_organisation_and_a_repeated_submission_not_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'tracking.db'}"
    config.upgrade_database(url)
    before = now()

    def submit(organization: str, key: str) -> None:
        service.submit_request(organization=organization, right="access", name="Jane Doe", email="jane@example.com",
                               uow=UnitOfWork(url=url), idempotency_key=key)
    submit("acta", "conversation-1:confirm")
    submit("acta", "conversation-1:confirm")  # a retry: the same request, not a new one
    submit("cesi", "conversation-2:confirm")
    after = now()
    assert sample(after, "assistant_requests_filed_total", organization="acta") - \
        sample(before, "assistant_requests_filed_total", organization="acta") == 1
    assert sample(after, "assistant_requests_filed_total", organization="cesi") - \
        sample(before, "assistant_requests_filed_total", organization="cesi") == 1
    assert "Jane" not in after and "jane@example.com" not in after
    config.dispose_engines(url)


def test_mail_is_counted_sent_or_failed_by_kind(tmp_path):
    message = mail.Mail(to="jo@example.com", subject="s", body="b", kind="verification code")
    labels = {"kind": "verification_code"}
    before = now()
    with receiving_mail(tmp_path) as sink:
        mail.send(message, mail.MailSettings(host="127.0.0.1", port=sink.port, security="none"))
    with pytest.raises(mail.MailError):
        mail.send(message, mail.MailSettings(host="127.0.0.1", port=free_port(), security="none", timeout=2))
    after = now()
    for outcome in ("sent", "failed"):
        assert sample(after, "assistant_mails_total", outcome=outcome, **labels) - \
            sample(before, "assistant_mails_total", outcome=outcome, **labels) == 1, outcome


def test_a_refusal_for_coming_too_fast_is_counted_under_its_limit():
    limits = RateLimits({"RATE_LIMIT_SIGN_IN": "2/minute"})
    before = sample(now(), "assistant_rate_limited_total", limit="sign_in")
    assert [limits.retry_after("RATE_LIMIT_SIGN_IN", "10.0.0.1") for _ in range(2)] == [None, None]
    assert limits.retry_after("RATE_LIMIT_SIGN_IN", "10.0.0.1") is not None
    assert sample(now(), "assistant_rate_limited_total", limit="sign_in") - before == 1


def _with_stub_rasa(status: int, check):
    """Runs `check(client, seen)` against a stand-in Rasa answering its webhook with `status`."""
    seen = []

    async def webhook(request):
        seen.append(request.headers.get("Authorization"))
        return web.json_response({"error": "wait"} if status == 429 else [{"text": "hi"}], status=status)

    async def hello(_request):
        return web.Response(text="Hello from Rasa")

    async def run():
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", webhook)
        app.router.add_get("/", hello)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        client = RasaClient(f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}", 5)
        await client.start()
        try:
            return await check(client, seen)
        finally:
            await client.close()
            await runner.cleanup()
    return asyncio.run(run())


def test_the_rest_client_sends_the_token_when_set_and_counts_rasa_s_429(monkeypatch):
    monkeypatch.setenv("RASA_REST_TOKEN", "relay-token")
    before = sample(now(), "assistant_rate_limited_total", limit="assistant")

    async def check(client, seen):
        await client.say("bonjour", "web-x", input_channel="web")
        return seen, await client.reachable()
    seen, reachable = _with_stub_rasa(429, check)
    assert seen == ["Bearer relay-token"] and reachable
    assert sample(now(), "assistant_rate_limited_total", limit="assistant") - before == 1


def test_rasa_is_unreachable_when_nothing_answers():
    async def check():
        client = RasaClient(f"http://127.0.0.1:{free_port()}", 5)
        await client.start()
        try:
            return await client.reachable(1)
        finally:
            await client.close()
    assert asyncio.run(check()) is False


def test_metrics_need_the_token_once_it_is_set():
    assert metrics.scrape(None, {})[0] == 200
    protected = {"METRICS_TOKEN": "scrape-me"}
    assert metrics.scrape(None, protected)[0] == 401
    assert metrics.scrape("Bearer wrong", protected)[0] == 401
    status, body, content_type = metrics.scrape("Bearer scrape-me", protected)
    assert status == 200 and b"assistant_requests_filed" in body and content_type.startswith("text/plain")


def test_a_label_from_a_request_is_a_plain_name_or_other():
    assert metrics.name_label("action_submit_rights_request") == "action_submit_rights_request"
    for value in ("jo@example.com", "Jane Doe", "x" * 80, None, "utter_x{\"a\": 1}"):
        assert metrics.name_label(value) == "other"


def test_several_worker_processes_are_summed_in_multiprocess_mode(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    count = "from tracking import metrics; metrics.REQUESTS_FILED.labels(organization='acta').inc()"
    for _ in range(2):  # two workers, one after the other: each its own process and file
        subprocess.run([sys.executable, "-c", count], env=env, check=True, timeout=60)
    scrape = "import sys; from tracking import metrics; sys.stdout.write(metrics.exposition()[0].decode())"
    text = subprocess.run([sys.executable, "-c", scrape], env=env, check=True, capture_output=True, text=True,
                          timeout=60).stdout
    assert sample(text, "assistant_requests_filed_total", organization="acta") == 2


def _get(url: str) -> tuple:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def test_the_relay_s_listener_serves_metrics_and_health():
    metrics.MESSAGES.labels(channel="telegram").inc()
    server, thread = serve_probes("127.0.0.1", 0)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        status, text = _get(base + "/metrics")
        assert status == 200 and sample(text, "assistant_messages_total", channel="telegram") >= 1
        assert _get(base + "/health")[0] == 200
        assert _get(base + "/anything")[0] == 404
    finally:
        server.shutdown()
        thread.join(5)


def test_the_relay_s_metrics_port_comes_from_the_environment():
    environ = {"TELEGRAM_BOT_TOKEN": "123:abc", "TELEGRAM_SENDER_KEY": "k" * 64, "RASA_ERASURE_TOKEN": "e"}
    assert RelaySettings.from_env(environ).metrics_port is None
    assert RelaySettings.from_env({**environ, "METRICS_PORT": "9100"}).metrics_port == 9100
    with pytest.raises(ConfigurationError):
        RelaySettings.from_env({**environ, "METRICS_PORT": "ninety"})
