"""The relay's handlers: Telegram updates in, the assistant's replies out.

Rasa owns the dialogue; the relay passes on text and button presses, and answers by itself only
its commands and what the assistant cannot read (stickers, photos, edits, very long texts). Each
private chat is one conversation (rasa_client.sender_id). What the relay keeps per chat, in
memory only (context.chat_data): the organisation and language chosen with /org and /language.
"""
from __future__ import annotations

import asyncio
import json
import logging
import weakref
from typing import Awaitable, Dict, Optional, Tuple

from telegram import Update
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import (
    Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters,
)

from apps.rasa_client import RasaUnavailable
from apps.telegram.config import RelaySettings
from apps.telegram.rasa_client import INPUT_CHANNEL, RelayRasaClient, masked, sender_id
from apps.telegram.rendering import ButtonPayloads, keyboard, render
from knowledge.loading import knowledge_base
from knowledge.texts import duration, reply_language, text as catalogue_text
from language import DEFAULT_LANGUAGE, LANGUAGES, supported
from language.detection import detect_language
from tracking import metrics
from tracking.config import conversation_ttl
from tracking.erasure_token import says_forgotten

UNAVAILABLE = "channel.service_unavailable"  # the same apology as every channel's

logger = logging.getLogger(__name__)

MAX_MESSAGE_LENGTH = 1000           # longer is not a question; the form's answers are far shorter
RASA_TIMEOUT_SECONDS = 60           # a turn may wait on the action server and the database
# Telegram's answer to a send may be slow at peak: with python-telegram-bot's 5 s a reply already
# delivered can count as failed, and the person would get the apology after it.
TELEGRAM_READ_TIMEOUT_SECONDS = 20
ORGANIZATION_CALLBACK = "org:"
LANGUAGE_CALLBACK = "lang:"
CHOSEN_ORGANIZATION = "organization"   # chat_data keys
CHOSEN_LANGUAGE = "language"
PRIVATE = filters.ChatType.PRIVATE
NEW_PRIVATE_MESSAGE = PRIVATE & filters.UpdateType.MESSAGE
Context = ContextTypes.DEFAULT_TYPE


def _rasa(context: Context) -> RelayRasaClient:
    return context.bot_data["rasa"]


def _payloads(context: Context) -> ButtonPayloads:
    return context.bot_data["payloads"]


def _sender(update: Update, context: Context) -> str:
    return sender_id(update.effective_chat.id, context.bot_data["settings"].sender_key)


def _chat_lock(update: Update, context: Context) -> asyncio.Lock:
    """One turn at a time per chat, so replies keep the order of the messages (updates run concurrently)."""
    locks: "weakref.WeakValueDictionary[int, asyncio.Lock]" = context.bot_data["locks"]
    chat_id = update.effective_chat.id
    lock = locks.get(chat_id)
    if lock is None:
        lock = locks[chat_id] = asyncio.Lock()
    return lock


def chat_language(update: Update, context: Context) -> str:
    """The language chosen with /language, else the person's Telegram language, else French."""
    user = update.effective_user
    return (context.chat_data.get(CHOSEN_LANGUAGE) or supported(user.language_code if user else None)
            or DEFAULT_LANGUAGE)


def relay_text(key: str, language: str, **values: object) -> str:
    """A text of the catalogue: "telegram.<key>", or a full key such as the shared apology."""
    return catalogue_text(key if "." in key else f"telegram.{key}", language, **values)


async def _say(update: Update, context: Context, key: str, language: Optional[str] = None, **values: object) -> None:
    text = relay_text(key, language or chat_language(update, context), **values)
    await context.bot.send_message(update.effective_chat.id, text)


async def _converse(update: Update, context: Context, text: str) -> None:
    """Sends `text` (typed, or a button's payload) to the assistant and relays its replies."""
    sender = _sender(update, context)
    metadata: Dict[str, str] = {"language": chat_language(update, context)}
    if context.chat_data.get(CHOSEN_ORGANIZATION):
        metadata["organization"] = context.chat_data[CHOSEN_ORGANIZATION]
    async with _chat_lock(update, context):
        await _best_effort(context.bot.send_chat_action(update.effective_chat.id, ChatAction.TYPING), "Typing sign")
        metrics.MESSAGES.labels(channel=INPUT_CHANNEL).inc()
        try:
            with metrics.MESSAGE_SECONDS.labels(channel=INPUT_CHANNEL).time():
                messages = await _rasa(context).say(text, sender, metadata, input_channel=INPUT_CHANNEL)
            replies = render(messages, _payloads(context))
            if says_forgotten(messages):  # "forget this conversation", typed: as /forget, the chat's choices go
                context.chat_data.clear()
        except RasaUnavailable as error:
            logger.warning("Chat %s: the assistant did not answer (%s)", masked(sender), error)
            metrics.ERRORS.labels(component="telegram", kind="assistant_unavailable").inc()
            replies = []
        if not replies:
            await _say(update, context, UNAVAILABLE, reply_language(text, metadata))
            return
        for reply in replies:
            await context.bot.send_message(update.effective_chat.id, reply.text, reply_markup=reply.markup())
    logger.info("Chat %s: message of %d characters answered in %d messages", masked(sender), len(text), len(replies))


async def _best_effort(call: Awaitable[object], what: str) -> None:
    """A call to Telegram that only tidies the chat (the typing sign, a button's spinner, an old keyboard):
    when Telegram refuses or is slow to take it (a press too old, a timeout, a dropped connection), the
    turn goes on and its reply is sent, never an apology instead."""
    try:
        await call
    except TelegramError as error:
        logger.debug("%s failed: %s", what, type(error).__name__)


async def start(update: Update, context: Context) -> None:
    """Greets the person in their language and says what the bot does."""
    await _say(update, context, "start")


async def privacy(update: Update, context: Context) -> None:
    """Says what the bot keeps about the person, and for how long."""
    await _say(update, context, "privacy", kept_for=duration(conversation_ttl(), chat_language(update, context)))


async def ask_organization(update: Update, context: Context) -> None:
    """Offers the organisations as buttons (/org)."""
    organizations = knowledge_base().organizations_by_name()
    await context.bot.send_message(
        update.effective_chat.id, relay_text("organization_prompt", chat_language(update, context)),
        reply_markup=keyboard((org.name, ORGANIZATION_CALLBACK + org.slug) for org in organizations))


async def ask_language(update: Update, context: Context) -> None:
    """Offers French and English as buttons (/language)."""
    await context.bot.send_message(
        update.effective_chat.id, relay_text("language_prompt", chat_language(update, context)),
        reply_markup=keyboard((relay_text("language_name", code), LANGUAGE_CALLBACK + code) for code in LANGUAGES))


async def forget(update: Update, context: Context) -> None:
    """Erases this chat's conversation from the assistant and the relay's memory of the chat (/forget)."""
    sender = _sender(update, context)
    language = chat_language(update, context)
    async with _chat_lock(update, context):
        try:
            existed = await _rasa(context).erase(sender)
        except RasaUnavailable as error:
            logger.warning("Chat %s: conversation not erased (%s)", masked(sender), error)
            await _say(update, context, "forget_failed", language)
            return
        context.chat_data.clear()
    logger.info("Chat %s: conversation erased (existed: %s)", masked(sender), existed)
    await _say(update, context, "forget_done", language)


async def relay_text_message(update: Update, context: Context) -> None:
    """Passes a typed message on to the assistant, unless it is too long to be a question."""
    text = update.message.text
    if len(text) > MAX_MESSAGE_LENGTH:
        logger.info("Chat %s: message of %d characters refused as too long", masked(_sender(update, context)),
                    len(text))
        await _say(update, context, "too_long", detect_language(text), length=len(text), limit=MAX_MESSAGE_LENGTH)
        return
    await _converse(update, context, text)


def _chat_choice(callback_data: str) -> Optional[Tuple[str, str, str]]:
    """For a /org or /language button: the chat_data key, the value kept, and the payload telling the assistant."""
    if callback_data.startswith(ORGANIZATION_CALLBACK):
        slug = callback_data[len(ORGANIZATION_CALLBACK):]
        if knowledge_base().organization(slug) is not None:
            return CHOSEN_ORGANIZATION, slug, "/choose_organization" + json.dumps({"organization": slug})
    elif callback_data.startswith(LANGUAGE_CALLBACK):
        language = supported(callback_data[len(LANGUAGE_CALLBACK):])
        if language is not None:
            return CHOSEN_LANGUAGE, language, "/switch_language" + json.dumps({"language": language})
    return None


async def press_button(update: Update, context: Context) -> None:
    """Sends the pressed button's payload to the assistant; a /org or /language choice is also kept for the chat."""
    query = update.callback_query
    await _best_effort(query.answer(), "Answering the button press")
    choice = _chat_choice(query.data or "")
    payload = choice[2] if choice else _payloads(context).payload_for(query.data)
    if payload is None:  # an old keyboard, or callback data the relay never sent
        await _say(update, context, "button_expired")
        return
    if choice:
        context.chat_data[choice[0]] = choice[1]
    # The keyboard off the message whose button was pressed, so it is not pressed twice.
    await _best_effort(query.edit_message_reply_markup(reply_markup=None), "Removing the keyboard")
    await _converse(update, context, payload)


async def refuse_non_text(update: Update, context: Context) -> None:
    """Says that only text is read (photos, stickers, voice, files); nothing of it is kept."""
    logger.info("Chat %s: non-text message refused", masked(_sender(update, context)))
    await _say(update, context, "not_text")


async def refuse_edit(update: Update, context: Context) -> None:
    """Asks for a new message instead of an edit: the assistant has already answered the original."""
    await _say(update, context, "edited")


async def unknown_command(update: Update, context: Context) -> None:
    """Lists the commands; a typed "/intent{...}" is not passed on as an intent either."""
    await _say(update, context, "unknown_command")


async def only_private_chats(update: Update, context: Context) -> None:
    """In a group, one conversation would mix its members' questions and requests: private chats only."""
    await _say(update, context, "private_only")


async def report_error(update: object, context: Context) -> None:
    """Logs an unexpected error (never a message's content) and apologises in the chat concerned."""
    logger.error("Unexpected %s while handling an update", type(context.error).__name__, exc_info=context.error)
    metrics.ERRORS.labels(component="telegram", kind="unexpected").inc()
    if isinstance(update, Update) and update.effective_chat:
        try:
            await _say(update, context, UNAVAILABLE)
        except TelegramError:
            pass  # Telegram itself is failing; the next update gets another chance


async def _start_services(application: Application) -> None:
    settings: RelaySettings = application.bot_data["settings"]
    application.bot_data["rasa"] = RelayRasaClient(settings.rasa_url, RASA_TIMEOUT_SECONDS, settings.erasure_token)
    await application.bot_data["rasa"].start()
    application.bot_data["payloads"] = ButtonPayloads()
    application.bot_data["locks"] = weakref.WeakValueDictionary()
    knowledge_base()  # loaded and checked once, before the first /org


async def _stop_services(application: Application) -> None:
    await application.bot_data["rasa"].close()


def build_application(settings: RelaySettings) -> Application:
    """The relay: python-telegram-bot's Application with every handler registered."""
    application = (Application.builder().token(settings.bot_token)
                   .base_url(f"{settings.api_url}/bot").base_file_url(f"{settings.api_url}/file/bot")
                   .read_timeout(TELEGRAM_READ_TIMEOUT_SECONDS).concurrent_updates(True)
                   .post_init(_start_services).post_shutdown(_stop_services).build())
    application.bot_data["settings"] = settings
    commands = {"start": start, "help": start, "org": ask_organization, "language": ask_language,
                "privacy": privacy, "forget": forget}
    application.add_handlers([CommandHandler(name, handler, filters=NEW_PRIVATE_MESSAGE)
                              for name, handler in commands.items()])
    application.add_handlers([
        MessageHandler(~PRIVATE & filters.UpdateType.MESSAGE & filters.COMMAND, only_private_chats),
        MessageHandler(PRIVATE & filters.UpdateType.EDITED_MESSAGE, refuse_edit),
        MessageHandler(NEW_PRIVATE_MESSAGE & filters.COMMAND, unknown_command),
        MessageHandler(NEW_PRIVATE_MESSAGE & filters.TEXT, relay_text_message),
        MessageHandler(NEW_PRIVATE_MESSAGE & ~filters.TEXT & ~filters.StatusUpdate.ALL, refuse_non_text),
        CallbackQueryHandler(press_button),
    ])
    application.add_error_handler(report_error)
    return application
