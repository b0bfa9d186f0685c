"""The containers' health check: exit 0 when the URL answers 200 within 4 seconds, else 1.

    python deploy/healthcheck.py http://127.0.0.1:5055/ready

The image (python:3.10-slim) has no curl: the standard library does it. Default URL: the web app's
/health on $WEB_PORT.
"""
from __future__ import annotations

import os
import sys
import urllib.request


def main(argv: list) -> int:
    url = argv[1] if len(argv) > 1 else f"http://127.0.0.1:{os.environ.get('WEB_PORT', '8000')}/health"
    try:
        with urllib.request.urlopen(url, timeout=4) as response:
            return 0 if response.status == 200 else 1
    except OSError:  # refused, timed out, or an HTTP error status (HTTPError is an OSError)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
