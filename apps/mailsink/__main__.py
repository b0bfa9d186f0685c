"""`python -m apps.mailsink [--port 8025] [--dir var/mail]`: the development mail sink (see sink.py)."""
from __future__ import annotations

import argparse
import logging
import signal
import threading
from pathlib import Path

from apps.mailsink.sink import running_sink

DEFAULT_PORT = 8025
DEFAULT_FOLDER = Path(__file__).resolve().parent.parent.parent / "var" / "mail"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m apps.mailsink", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--dir", type=Path, default=DEFAULT_FOLDER, help="where the .eml files go")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    with running_sink(args.dir, args.port, args.host):
        print(f"Mail sink listening on {args.host}:{args.port}; every mail lands in {args.dir}/ as an .eml file",
              flush=True)
        stop.wait()


if __name__ == "__main__":
    main()
