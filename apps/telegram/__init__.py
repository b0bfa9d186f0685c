"""Telegram relay: each Telegram chat is one conversation with the assistant, over Rasa's REST channel.

Run it with `python -m apps.telegram` (scripts/run.sh does when TELEGRAM_BOT_TOKEN is set); see the
README's "Telegram" section. Modules: config (environment), rasa_client (sender ids, erasure),
rendering (Rasa messages to Telegram messages), messages (the relay's own texts), relay (handlers).
"""
