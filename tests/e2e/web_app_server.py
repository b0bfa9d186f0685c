"""The project's web app (widget, demo pages, staff console) started on a free port for a test."""
from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Dict, Iterator, Optional, Sequence

from e2e_servers import ROOT, free_port, started

STARTUP_TIMEOUT = 60
STAFF_PASSWORD = "correct horse battery staple"


def create_staff_user(tracking_db_url: str, username: str, password: str = STAFF_PASSWORD, *,
                      organizations: Sequence[str] = (), admin: bool = False) -> None:
    """As staff would: with the staff command, the password on standard input."""
    access = (["--org", ",".join(organizations)] if organizations else []) + (["--admin"] if admin else [])
    subprocess.run([sys.executable, "-m", "tracking", "--database-url", tracking_db_url, "create-user",
                    username, *access], input=password + "\n", text=True, cwd=ROOT, check=True,
                   capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)})


@contextlib.contextmanager
def running_web_app(tracking_db_url: str, rasa_url: str = "http://127.0.0.1:9",
                    sign_in_limit: str = "off", new_conversations_limit: str = "off",
                    env_extra: Optional[Dict[str, str]] = None) -> Iterator[str]:
    """`python -m apps.web` on a free port; yields its base URL. The database must be migrated."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "WEB_HOST": "127.0.0.1", "WEB_PORT": str(port),
           "RASA_URL": rasa_url, "TRACKING_DB_URL": tracking_db_url,
           # The console tests sign in dozens of accounts a minute from this one address, and the chat
           # tests start dozens of conversations; both limits are tested with their defaults
           # (tests/e2e/test_rate_limits.py).
           "RATE_LIMIT_SIGN_IN": sign_in_limit, "RATE_LIMIT_NEW_CONVERSATIONS": new_conversations_limit,
           **(env_extra or {})}
    base = f"http://127.0.0.1:{port}"

    def serving() -> bool:
        try:
            urllib.request.urlopen(base + "/widget.js", timeout=5).read()
            return True
        except (urllib.error.URLError, OSError):
            return False

    # One log per web app (by its port): a file starting several keeps each one's log.
    with started([sys.executable, "-m", "apps.web"], f"e2e-web-{port}", env, serving, "the web app", STARTUP_TIMEOUT):
        yield base


def widget_sender(base: str) -> str:
    """A new conversation's signed id, asked for as the widget asks (POST /chat/session): the `sender`
    that the web app's /chat takes."""
    request = urllib.request.Request(base + "/chat/session", data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())["sender"]


def migrated_sqlite_url(directory: Path) -> str:
    from tracking import config

    url = f"sqlite:///{directory / 'tracking.db'}"
    config.upgrade_database(url)
    return url
