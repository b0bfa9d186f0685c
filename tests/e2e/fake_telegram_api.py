"""A stand-in for Telegram's Bot API on 127.0.0.1, for the relay's end-to-end tests.

Real HTTP, as python-telegram-bot speaks it (`/bot<token>/<method>`, form-encoded parameters with
JSON values): getMe, getUpdates (long polling with offsets), sendMessage, sendChatAction,
answerCallbackQuery, editMessageReplyMarkup, setWebhook, deleteWebhook, getWebhookInfo. Tests
queue updates (messages, commands, stickers, button presses) for a bot token and read back every
call the bot made. Each token has its own state, so several relays can share one server.
"""
from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional
from urllib.parse import parse_qs

BOT_USER = {"id": 4242424242, "is_bot": True, "first_name": "Privacy assistant", "username": "privacy_test_bot",
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}
MAX_POLL_SECONDS = 10
# Parameters python-telegram-bot sends JSON-encoded; the others (text, ...) are plain strings.
_JSON_PARAMETERS = {"chat_id", "reply_markup", "offset", "limit", "timeout", "allowed_updates", "message_id",
                    "drop_pending_updates", "max_connections", "show_alert"}


@dataclass
class Call:
    method: str
    params: Dict[str, Any]
    at: float = field(default_factory=time.monotonic)


@dataclass
class _Bot:
    updates: List[Dict[str, Any]] = field(default_factory=list)
    calls: List[Call] = field(default_factory=list)
    webhook: Dict[str, Any] = field(default_factory=dict)


class FakeTelegramApi:
    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._bots: Dict[str, _Bot] = {}
        self._ids = itertools.count(1)
        self._closing = False
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """What the relay takes as TELEGRAM_API_URL (it adds /bot<token>/<method>)."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> "FakeTelegramApi":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with self._changed:
            self._closing = True
            self._changed.notify_all()
        self._server.shutdown()
        self._server.server_close()

    # --- what the tests do -------------------------------------------------------------------

    @staticmethod
    def user(chat_id: int, language_code: str = "en") -> Dict[str, Any]:
        return {"id": chat_id, "is_bot": False, "first_name": "Camille", "language_code": language_code}

    def message(self, chat_id: int, language_code: str = "en", chat_type: str = "private",
                **content: Any) -> Dict[str, Any]:
        chat = {"id": chat_id, "type": chat_type}
        chat.update({"first_name": "Camille"} if chat_type == "private" else {"title": "A group"})
        return {"message_id": next(self._ids), "date": int(time.time()), "chat": chat,
                "from": self.user(abs(chat_id), language_code), **content}

    def send_text(self, token: str, chat_id: int, text: str, language_code: str = "en", edited: bool = False,
                  chat_type: str = "private") -> None:
        """A text message from the person (a command when it starts with /), or an edit of one."""
        content: Dict[str, Any] = {"text": text}
        if text.startswith("/"):
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        if edited:
            content["edit_date"] = int(time.time())
        message = self.message(chat_id, language_code, chat_type, **content)
        self.push(token, {"edited_message" if edited else "message": message})

    def push(self, token: str, update: Dict[str, Any]) -> int:
        """Queues an update (without its update_id) for the bot's next getUpdates."""
        with self._changed:
            update = {"update_id": next(self._ids), **update}
            self._bot(token).updates.append(update)
            self._changed.notify_all()
        return update["update_id"]

    def press(self, token: str, chat_id: int, callback_data: str, language_code: str = "en") -> str:
        """Presses an inline button; returns the callback query's id."""
        query_id = f"cq-{next(self._ids)}"
        message = self.message(chat_id, language_code, text="(the message with the keyboard)")
        message["from"] = BOT_USER
        self.push(token, {"callback_query": {"id": query_id, "from": self.user(chat_id, language_code),
                                             "chat_instance": f"ci-{chat_id}", "data": callback_data,
                                             "message": message}})
        return query_id

    def calls(self, token: str, method: Optional[str] = None) -> List[Call]:
        with self._changed:
            return [c for c in self._bot(token).calls if method is None or c.method == method]

    def webhook(self, token: str) -> Dict[str, Any]:
        with self._changed:
            return dict(self._bot(token).webhook)

    def wait_for(self, token: str, condition: Callable[[List[Call]], bool], timeout: float) -> List[Call]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not condition(self._bot(token).calls):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"the bot did not make the expected calls within {timeout} s")
                self._changed.wait(remaining)
            return list(self._bot(token).calls)

    def replies(self, token: str, chat_id: int, since: int, timeout: float = 90, quiet: float = 1.0) -> List[Dict[str, Any]]:
        """The messages the bot sends to `chat_id` after call number `since`: waits for the first,
        then until the bot has been quiet for `quiet` seconds."""
        def sent(calls: List[Call]) -> List[Call]:
            return [c for c in calls[since:] if c.method == "sendMessage" and c.params.get("chat_id") == chat_id]

        self.wait_for(token, lambda calls: bool(sent(calls)), timeout)
        while True:
            count = len(sent(self.calls(token)))
            time.sleep(quiet)
            if len(sent(self.calls(token))) == count:
                return [c.params for c in sent(self.calls(token))]

    def mark(self, token: str) -> int:
        """The number of calls so far, to read only what comes next."""
        return len(self.calls(token))

    # --- the Bot API ----------------------------------------------------------------------------

    def _bot(self, token: str) -> _Bot:
        return self._bots.setdefault(token, _Bot())

    def _answer(self, token: str, method: str, params: Dict[str, Any]) -> Any:
        if method == "getUpdates":
            return self._get_updates(token, params)
        with self._changed:
            bot = self._bot(token)
            bot.calls.append(Call(method, params))
            self._changed.notify_all()
            if method == "getMe":
                return BOT_USER
            if method == "setWebhook":
                bot.webhook = dict(params)
                return True
            if method == "deleteWebhook":
                bot.webhook = {}
                return True
            if method == "getWebhookInfo":
                return {"url": bot.webhook.get("url", ""), "has_custom_certificate": False, "pending_update_count": 0}
            if method == "sendMessage":
                return {"message_id": next(self._ids), "date": int(time.time()), "from": BOT_USER,
                        "chat": {"id": params["chat_id"], "type": "private"}, "text": params.get("text", ""),
                        **({"reply_markup": params["reply_markup"]} if params.get("reply_markup") else {})}
            if method in ("sendChatAction", "answerCallbackQuery", "editMessageReplyMarkup", "close", "logOut"):
                return True
        raise LookupError(method)

    def _get_updates(self, token: str, params: Dict[str, Any]) -> List[Dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), MAX_POLL_SECONDS)
        with self._changed:
            bot = self._bot(token)
            bot.calls.append(Call("getUpdates", params))
            bot.updates = [u for u in bot.updates if u["update_id"] >= offset]  # an offset confirms the earlier ones
            while not bot.updates and not self._closing and time.monotonic() < deadline:
                self._changed.wait(deadline - time.monotonic())
            return bot.updates[: int(params.get("limit") or 100)]

    def _handler(self) -> type:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                token, _, method = self.path.removeprefix("/bot").partition("/")
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                try:
                    result = api._answer(token, method, _parameters(self.headers.get("Content-Type", ""), body))
                    status, reply = 200, {"ok": True, "result": result}
                except LookupError:
                    status, reply = 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


def _parameters(content_type: str, body: str) -> Dict[str, Any]:
    if not body:
        return {}
    if content_type.startswith("application/json"):
        return json.loads(body)
    params: Dict[str, Any] = {key: values[-1] for key, values in parse_qs(body, keep_blank_values=True).items()}
    for key in _JSON_PARAMETERS & params.keys():
        try:
            params[key] = json.loads(params[key])
        except ValueError:
            pass
    return params
