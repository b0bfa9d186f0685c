"""`python -m apps.telegram`: the Telegram relay, polling by default, on a webhook when TELEGRAM_WEBHOOK_URL is set."""
from __future__ import annotations

import logging
import sys

from apps.telegram.config import ConfigurationError, RelaySettings
from apps.telegram.probes import serve_probes
from apps.telegram.relay import build_application
from tracking.log_privacy import install_log_privacy

# The relay's updates: anything else Telegram could send has no meaning here.
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]


def main() -> None:
    install_log_privacy()  # no conversation data in any log line (tracking/log_privacy.py)
    logging.basicConfig(format="%(asctime)s %(name)s %(levelname)s %(message)s", level=logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request lines carry the bot token
    try:
        settings = RelaySettings.from_env()
    except ConfigurationError as error:
        sys.exit(f"Telegram relay: {error}")
    if settings.metrics_port is not None:
        try:
            serve_probes(settings.metrics_host, settings.metrics_port)
        except OSError as error:
            sys.exit(f"Telegram relay: cannot listen on {settings.metrics_host}:{settings.metrics_port} "
                     f"(METRICS_PORT): {error.strerror}")
    application = build_application(settings)
    # bootstrap_retries=-1: a network failure at start is retried; a wrong token still stops the relay.
    if settings.webhook_url:
        logging.getLogger(__name__).info("Webhook mode on %s:%s/%s", settings.webhook_listen,
                                         settings.webhook_port, settings.webhook_path)
        application.run_webhook(listen=settings.webhook_listen, port=settings.webhook_port,
                                url_path=settings.webhook_path, webhook_url=settings.webhook_url,
                                secret_token=settings.webhook_secret, allowed_updates=ALLOWED_UPDATES,
                                bootstrap_retries=-1)
    else:
        application.run_polling(allowed_updates=ALLOWED_UPDATES, bootstrap_retries=-1)


if __name__ == "__main__":
    main()
