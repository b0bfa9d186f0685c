"""Where the tracking database is, and the engine and sessions for it, built on first use.

`TRACKING_DB_URL` picks the database (any SQLAlchemy URL: `postgresql://user:pass@host/db`);
without it, an SQLite file under the project's `var/` folder. Nothing connects at import time.
"""
from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path
from typing import Dict, Mapping, Optional

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = PROJECT_ROOT / "var" / "tracking.db"
ALEMBIC_INI = PROJECT_ROOT / "alembic.ini"
URL_VARIABLE = "TRACKING_DB_URL"
SQLITE_BUSY_TIMEOUT_SECONDS = 30  # concurrent writers wait for the file lock instead of failing
CONVERSATION_TTL_VARIABLE = "CONVERSATION_TTL"
DEFAULT_CONVERSATION_TTL_SECONDS = 24 * 3600

_lock = threading.Lock()
_engines: Dict[str, Engine] = {}
_session_factories: Dict[str, sessionmaker] = {}


def database_url() -> str:
    """The configured database URL (read on every call, so tests and commands can switch it)."""
    return os.environ.get(URL_VARIABLE) or f"sqlite:///{DEFAULT_DB_PATH}"


def conversation_ttl(environ: Mapping[str, str] = os.environ) -> int:
    """Seconds an idle conversation is kept (every tracker store, and the widget's conversation ids):
    CONVERSATION_TTL, else a day. Here, below Rasa's endpoints, the web app and the actions, which all
    need it (the assistant states it to the people it talks to)."""
    return max(1, int(environ.get(CONVERSATION_TTL_VARIABLE) or DEFAULT_CONVERSATION_TTL_SECONDS))


def display_url(url: Optional[str] = None) -> str:
    """The URL with its password hidden, for messages."""
    return make_url(url or database_url()).render_as_string(hide_password=True)


def get_engine(url: Optional[str] = None) -> Engine:
    """The engine for `url` (default: the configured one), created once per process."""
    url = url or database_url()
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = _create_engine(url)
        return engine


def session_factory(url: Optional[str] = None) -> sessionmaker:
    url = url or database_url()
    engine = get_engine(url)
    with _lock:
        factory = _session_factories.get(url)
        if factory is None:
            # Objects stay readable after commit: the service copies them into plain records.
            factory = _session_factories[url] = sessionmaker(bind=engine, class_=Session, future=True,
                                                             expire_on_commit=False)
        return factory


def dispose_engines(url: Optional[str] = None) -> None:
    """Close the pooled connections of one database, or of all (tests, and before a process forks)."""
    with _lock:
        for key in [url] if url else list(_engines):
            engine = _engines.pop(key, None)
            if engine is not None:
                engine.dispose()
            _session_factories.pop(key, None)


def upgrade_database(url: Optional[str] = None, revision: str = "head") -> str:
    """Run the Alembic migrations up to `revision` (`alembic upgrade head`); returns the URL shown safely.

    This is the only way the schema is created: call it at deployment and before first use.
    """
    from alembic import command  # imported here: only migrations need Alembic
    from alembic.config import Config

    engine = get_engine(url)
    alembic_config = Config(str(ALEMBIC_INI))
    with engine.begin() as connection:
        alembic_config.attributes["connection"] = connection
        alembic_config.attributes["configure_logging"] = False  # keep the caller's logging setup
        command.upgrade(alembic_config, revision)
    return display_url(url)


def _create_engine(url: str) -> Engine:
    parsed = make_url(url)
    # hide_parameters: bound values (e-mails, names) never reach SQLAlchemy's logs or error messages.
    options = {"future": True, "hide_parameters": True}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            _private_database_file(Path(database).expanduser())
        options["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False}
        engine = create_engine(url, **options)
        event.listen(engine, "connect", _configure_sqlite_connection)
        return engine
    options["pool_pre_ping"] = True
    return create_engine(url, **options)


def _private_database_file(path: Path) -> None:
    """The SQLite file made (or made again) readable by its owner only: it holds requesters' data.
    SQLite gives its -wal and -shm files the database file's mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    if path.stat().st_mode & 0o077 and path.stat().st_uid == os.geteuid():
        os.chmod(path, 0o600)


def _configure_sqlite_connection(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")  # the bot writes while staff commands read
    cursor.close()


def current_revision(url: Optional[str] = None) -> Optional[str]:
    """The Alembic revision the database is at (None when it was never migrated)."""
    from alembic.runtime.migration import MigrationContext

    with get_engine(url).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def database_ready(url: Optional[str] = None) -> bool:
    """Whether the database answers and carries the schema: what a readiness check asks (/ready)."""
    try:
        with get_engine(url).connect() as connection:  # Alembic's own reading logs a line at each check
            return connection.execute(text("SELECT version_num FROM alembic_version")).first() is not None
    except Exception:  # noqa: BLE001 - unreachable, refused, not migrated: all mean "cannot serve"
        return False


async def database_ready_within(seconds: float, url: Optional[str] = None) -> bool:
    """`database_ready`, on a thread, and False when the database takes longer than `seconds` to say."""
    try:
        return await asyncio.wait_for(asyncio.to_thread(database_ready, url), seconds)
    except asyncio.TimeoutError:
        return False
