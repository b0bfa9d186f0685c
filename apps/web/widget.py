"""The chat widget: its script and style, its texts, a demo page per organisation, /chat/session, which
issues the widget's signed conversation ids (apps/web/conversation_ids.py), and /chat, the endpoint the
widget posts to. /chat relays to Rasa's REST channel, only under a genuine conversation id and with only
the metadata the widget may set, and answers with an apology in the person's language when Rasa cannot
be reached."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional
from urllib.parse import urlsplit

from sanic import Blueprint, Request, response
from sanic.response import HTTPResponse

from knowledge.loading import knowledge_base
from knowledge.texts import channel_text, reply_language, text, texts_for
from language import DEFAULT_LANGUAGE, LANGUAGES, language_hint, supported
from tracking import metrics
from tracking.erasure_token import says_forgotten
from tracking.validation import MAX_MESSAGE_LENGTH, BadChatBody, parse_chat_body
from apps.rasa_client import RasaUnavailable
from apps.web.conversation_ids import RefusedConversation
from apps.web.page_templates import render

STATIC = Path(__file__).resolve().parent / "static"
CHANNEL = "web"  # recorded on the requests filed through the widget
SENDER_HEADER = "X-Chat-Sender"  # each /chat answer's renewed conversation id (widget.js keeps it)
TEXTS = "web"  # data/texts/web.yml
WIDGET_TEXTS = "widget_"  # the ids widget.js gets, without this prefix

widget = Blueprint("widget")


STATIC_FILES = {"widget.js": "text/javascript", "widget.css": "text/css", "demo.css": "text/css",
                "console.css": "text/css"}


def _static_route(name: str, mime_type: str) -> None:
    async def serve(request: Request) -> HTTPResponse:
        return await response.file(STATIC / name, mime_type=f"{mime_type}; charset=utf-8",
                                   headers={"Cache-Control": "public, max-age=300"})

    widget.add_route(serve, f"/{name}", methods=["GET"], name=name.replace(".", "_"))


for _name, _mime_type in STATIC_FILES.items():
    _static_route(_name, _mime_type)


@widget.get("/")
@widget.get("/demo")
async def demo_index(request: Request) -> HTTPResponse:
    return _demo_page(None, _page_language(request, DEFAULT_LANGUAGE))


@widget.get("/demo/<slug:str>")
async def demo(request: Request, slug: str) -> HTTPResponse:
    organization = knowledge_base().organizations.get(slug)
    if organization is None:
        return _demo_page(None, _page_language(request, DEFAULT_LANGUAGE), unknown=slug, status=404)
    return _demo_page(organization, _page_language(request, organization.policy_language))


def _demo_page(organization: Any, page_language: str, status: int = 200, **context: Any) -> HTTPResponse:
    return response.html(render("demo.html", surface=TEXTS, lang=page_language, organization=organization,
                                organizations=knowledge_base().organizations_by_name(), languages=LANGUAGES,
                                **context), status=status)


@widget.route("/widget/texts", methods=["GET", "OPTIONS"])
async def widget_texts(request: Request) -> HTTPResponse:
    """The widget's words in the page's language (`?lang=`, the script's data-lang), and that language."""
    if request.method == "OPTIONS":
        return response.empty(headers=_cors(request))
    language = _page_language(request, DEFAULT_LANGUAGE)
    texts = {key[len(WIDGET_TEXTS):]: value for key, value in texts_for(TEXTS, language).items()
             if key.startswith(WIDGET_TEXTS)}
    return response.json({"language": language, "texts": texts},
                         headers={**_cors(request), "Cache-Control": "public, max-age=300"})


@widget.route("/chat", methods=["POST", "OPTIONS"])
async def chat(request: Request) -> HTTPResponse:
    if request.method == "OPTIONS":
        return response.empty(headers=_cors(request))
    if not _allowed_host(request):
        return response.json({"error": "unknown host"}, status=400)
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        # A cross-site form or text/plain POST needs no CORS preflight; application/json does.
        return response.json({"error": text(f"{TEXTS}.chat_bad_request", None)}, status=415, headers=_cors(request))
    try:
        body = parse_chat_body(request.body)  # the REST channel's checks (tracking/validation.py)
    except BadChatBody as error:
        return _refused(request, error)
    message, metadata = body.message, _widget_metadata(body.metadata)
    conversation_ids = request.app.ctx.conversation_ids
    try:
        sender = conversation_ids.conversation(body.sender)
    except RefusedConversation as refused:
        # Nothing reaches Rasa: the widget asks /chat/session for a new id and sends the message again.
        return response.json({"error": text(f"{TEXTS}.chat_conversation_refused", reply_language(message, metadata)),
                              "problems": [f"sender: {refused.reason}, ask POST /chat/session for one"]},
                             status=403, headers=_cors(request))
    limits = request.app.ctx.limits
    wait = (limits.retry_after("RATE_LIMIT_PER_IP", client_address(request))
            or limits.retry_after("RATE_LIMIT_PER_CONVERSATION", sender))
    if wait:
        return response.json({"error": channel_text_with(message, metadata, "rate_limited", seconds=wait)},
                             status=429, headers={**_cors(request), "Retry-After": str(wait)})
    metrics.MESSAGES.labels(channel=CHANNEL).inc()
    try:
        with metrics.MESSAGE_SECONDS.labels(channel=CHANNEL).time():
            replies = await request.app.ctx.rasa.say(message, f"web-{sender}", metadata, input_channel=CHANNEL)
    except RasaUnavailable:
        metrics.ERRORS.labels(component="web", kind="assistant_unavailable").inc()
        replies = [{"text": channel_text("service_unavailable", message, metadata)}]
    return response.json(_replies(replies),
                         headers={**_cors(request), SENDER_HEADER: conversation_ids.issue(sender)})


@widget.route("/chat/session", methods=["POST", "OPTIONS"])
async def chat_session(request: Request) -> HTTPResponse:
    """A new conversation: its signed id, to send as `sender` to /chat (valid `expires_in` seconds from
    the last answer, each of which carries it renewed in the X-Chat-Sender header)."""
    if request.method == "OPTIONS":
        return response.empty(headers=_cors(request))
    if not _allowed_host(request):
        return response.json({"error": "unknown host"}, status=400)
    # Issuing stores nothing, but a flood of new conversations is a flood of Rasa trackers to come.
    wait = request.app.ctx.limits.retry_after("RATE_LIMIT_NEW_CONVERSATIONS", client_address(request))
    if wait:
        language = supported(request.args.get("lang")) or DEFAULT_LANGUAGE
        return response.json({"error": text("channel.rate_limited", language, seconds=wait)},
                             status=429, headers={**_cors(request), "Retry-After": str(wait)})
    conversation_ids = request.app.ctx.conversation_ids
    return response.json({"sender": conversation_ids.issue(), "expires_in": conversation_ids.ttl_seconds},
                         headers={**_cors(request), "Cache-Control": "no-store"})


def _allowed_host(request: Request) -> bool:
    allowed = request.app.ctx.settings.allowed_hosts
    hostname = urlsplit("//" + request.headers.get("host", "")).hostname or ""
    return "*" in allowed or hostname.lower() in allowed


def client_address(request: Request) -> str:
    """The client's address: the proxy's forwarded one when Sanic is told to trust it (README, Limits)."""
    return request.remote_addr or request.ip


def channel_text_with(message: str, metadata: Dict[str, str], key: str, **values: object) -> str:
    return text(f"channel.{key}", reply_language(message, metadata), **values)


def _refused(request: Request, error: BadChatBody) -> HTTPResponse:
    message, metadata = error.language_hints
    sentence = (channel_text_with(message, metadata, "message_too_long", limit=MAX_MESSAGE_LENGTH) if error.message_too_long
                else text(f"{TEXTS}.chat_bad_request", reply_language(message, metadata)))
    return response.json({"error": sentence, "problems": error.problems}, status=error.status,
                         headers=_cors(request))


def _widget_metadata(raw: Any) -> Dict[str, str]:
    """Only the organisation (a known slug) and the page language travel to the assistant."""
    raw = raw if isinstance(raw, dict) else {}
    metadata = {}
    if str(raw.get("organization") or "") in knowledge_base().organizations:
        metadata["organization"] = str(raw["organization"])
    language = language_hint(raw)
    if language:
        metadata["language"] = language
    return metadata


def _replies(replies: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """What the widget shows: texts and buttons; each marked `forgotten` when the assistant erased the
    conversation, so that the widget erases its transcript and starts a new conversation too."""
    shown = [_reply(reply) for reply in replies if reply.get("text") or reply.get("buttons")]
    return [{**reply, "forgotten": True} for reply in shown] if says_forgotten(replies) else shown


def _reply(reply: Dict[str, Any]) -> Dict[str, Any]:
    buttons: List[Dict[str, str]] = [{"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
                                     for b in reply.get("buttons") or [] if isinstance(b, dict)]
    return {"text": str(reply.get("text") or ""), "buttons": buttons}


def _cors(request: Request) -> Dict[str, str]:
    allowed = request.app.ctx.settings.widget_origins
    origin = request.headers.get("origin")
    if "*" in allowed:
        allow: Optional[str] = "*"
    else:
        allow = origin if origin in allowed else None
    if allow is None:
        return {}
    return {"Access-Control-Allow-Origin": allow, "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
            "Access-Control-Allow-Headers": "Content-Type", "Access-Control-Expose-Headers": SENDER_HEADER,
            "Access-Control-Max-Age": "600", "Vary": "Origin"}


def _page_language(request: Request, default: str) -> str:
    return supported(request.args.get("lang")) or supported(default) or DEFAULT_LANGUAGE
