"""The project's web app (widget, demo pages, staff console) started on a free port for a test."""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator

from e2e_servers import ROOT, free_port, stop_process

STARTUP_TIMEOUT = 60
STAFF_PASSWORD = "correct horse battery staple"


def create_staff_user(tracking_db_url: str, username: str, password: str = STAFF_PASSWORD) -> None:
    """As staff would: with the staff command, the password on standard input."""
    subprocess.run([sys.executable, "-m", "bot.staff_cli", "--database-url", tracking_db_url, "create-user",
                    username, "--password-stdin"], input=password + "\n", text=True, cwd=ROOT, check=True,
                   capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)})


@contextlib.contextmanager
def running_web_app(tracking_db_url: str, rasa_url: str = "http://127.0.0.1:9") -> Iterator[str]:
    """`python -m bot.web` on a free port; yields its base URL. The database must be migrated."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "WEB_HOST": "127.0.0.1", "WEB_PORT": str(port),
           "RASA_URL": rasa_url, "TRACKING_DB_URL": tracking_db_url}
    log = ROOT / ".cache" / "e2e-web.log"
    log.parent.mkdir(exist_ok=True)
    process = subprocess.Popen([sys.executable, "-m", "bot.web"], cwd=ROOT, env=env, stdout=open(log, "w"),
                               stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the web app exited during start-up; see {log}")
            try:
                urllib.request.urlopen(base + "/widget.js", timeout=5).read()
                break
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    raise RuntimeError("the web app did not start in time")
                time.sleep(0.3)
        yield base
    finally:
        stop_process(process)


def migrated_sqlite_url(directory: Path) -> str:
    from tracking import config

    url = f"sqlite:///{directory / 'tracking.db'}"
    config.upgrade_database(url)
    return url
