"""`python -m apps.web`: serve the widget, the demo pages and the staff console."""
from __future__ import annotations

import logging

from apps.web.app import create_app
from apps.web.settings import WebSettings
from tracking.log_privacy import install_log_privacy

if __name__ == "__main__":
    install_log_privacy()  # no conversation data in any log line (tracking/log_privacy.py)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = WebSettings.from_env()
    create_app(settings).run(host=settings.host, port=settings.port, access_log=False, motd=False)
