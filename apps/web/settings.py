"""The web app's settings, from the environment (see .env.example)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Tuple


def _flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class WebSettings:
    host: str = "127.0.0.1"
    port: int = 8000
    rasa_url: str = "http://127.0.0.1:5005"
    # Origins whose pages may embed the widget (CORS on /chat); "*" lets any site use it.
    widget_origins: Tuple[str, ...] = ("*",)
    # Behind HTTPS in production: the console cookie is then sent over HTTPS only.
    secure_cookies: bool = False
    rasa_timeout_seconds: float = 30.0
    # Host names /chat answers under (the Host header, port aside); "*" any. Refusing others stops a
    # DNS-rebinding page from talking to the assistant as if from this site.
    allowed_hosts: Tuple[str, ...] = ("localhost", "127.0.0.1", "::1")

    @classmethod
    def from_env(cls) -> "WebSettings":
        origins = tuple(o.strip() for o in os.environ.get("WIDGET_ORIGINS", "*").split(",") if o.strip())
        hosts = tuple(h.strip().lower() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip())
        return cls(host=os.environ.get("WEB_HOST", cls.host), port=int(os.environ.get("WEB_PORT", cls.port)),
                   rasa_url=os.environ.get("RASA_URL", f"http://127.0.0.1:{os.environ.get('RASA_PORT', '5005')}"),
                   widget_origins=origins or ("*",), secure_cookies=_flag("STAFF_SECURE_COOKIES"),
                   allowed_hosts=hosts or cls.allowed_hosts)
