"""The project's secret keys, one per use, each from its own environment variable or secret file.

One key must never serve two purposes: the erasure token, the Telegram sender key and the e-mail
verification key used to be derived from (or fall back on) the bot token, so whoever held one held
them all, and a new bot token changed them all. Each named key here is its environment variable
when set, else a file `<SECRETS_DIR>/<name>.key` (default var/secrets/), created on first use with a
random 256-bit key, readable by its owner only (mode 600). Processes on one machine (`make run`)
share the files; processes on several machines get the same value through the variable.

In the tracking layer, below every adapter that needs a key (Rasa's erasure channel, the Telegram
relay, the actions), so none imports another.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

from tracking.config import PROJECT_ROOT

SECRETS_DIR_VARIABLE = "SECRETS_DIR"
DEFAULT_SECRETS_DIR = PROJECT_ROOT / "var" / "secrets"


@dataclass(frozen=True)
class NamedKey:
    name: str                            # the file is <name>.key
    variable: str                        # the environment variable that wins over the file
    file_variable: Optional[str] = None  # an older setting naming the file itself
    legacy_file: Optional[Path] = None   # where an older version kept it; still read when present


ERASURE = NamedKey("erasure", "RASA_ERASURE_TOKEN")
TELEGRAM_SENDER = NamedKey("telegram-sender", "TELEGRAM_SENDER_KEY")
DATA_ENCRYPTION = NamedKey("data-encryption", "TRACKING_ENCRYPTION_KEYS")  # tracking.encryption
EMAIL_LOOKUP = NamedKey("email-lookup", "TRACKING_LOOKUP_KEY")
ACTION_SERVER = NamedKey("action-server", "ACTION_SERVER_TOKEN")  # Rasa -> action server calls
ACTION_SERVER_HEADER = "X-Action-Token"  # the header Rasa sends it in (rasa_extensions/endpoints.py)
WIDGET_CONVERSATION = NamedKey("widget-conversation", "WIDGET_CONVERSATION_KEY")  # apps/web/conversation_ids.py
REDIS = NamedKey("redis", "REDIS_PASSWORD")  # the Redis several Rasa processes share (README, Serving)
VERIFICATION = NamedKey("verification", "VERIFICATION_SECRET", file_variable="VERIFICATION_SECRET_FILE",
                        legacy_file=PROJECT_ROOT / "var" / "verification.key")


def secrets_dir(environ: Mapping[str, str] = os.environ) -> Path:
    return Path(environ.get(SECRETS_DIR_VARIABLE) or DEFAULT_SECRETS_DIR)


def key_file(key: NamedKey, environ: Mapping[str, str] = os.environ) -> Path:
    """Where `key` is kept when its variable is unset."""
    if key.file_variable and environ.get(key.file_variable):
        return Path(environ[key.file_variable])
    if key.legacy_file is not None and key.legacy_file.exists() and SECRETS_DIR_VARIABLE not in environ:
        return key.legacy_file  # keeps the codes and tokens made with it valid across the upgrade
    return secrets_dir(environ) / f"{key.name}.key"


def secret(key: NamedKey, environ: Mapping[str, str] = os.environ) -> str:
    """The key's value: its variable, else its file, created with a random key if missing."""
    explicit = environ.get(key.variable, "").strip()
    if explicit:
        return explicit
    return read_or_create(key_file(key, environ))


def redis_config(path: Path, environ: Mapping[str, str] = os.environ) -> Path:
    """A redis-server config file (mode 600) that requires the Redis password: the password stays out
    of the command line, which every local user can read in the process list."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(f'requirepass "{secret(REDIS, environ)}"\n')
    return path


def read_or_create(path: Path) -> str:
    """The secret in `path`, written first (mode 600, its folder 700) when the file does not exist."""
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it meanwhile: read theirs
        else:
            with os.fdopen(descriptor, "w", encoding="ascii") as file:
                file.write(secrets.token_hex(32) + "\n")
    return path.read_text(encoding="ascii").strip()
