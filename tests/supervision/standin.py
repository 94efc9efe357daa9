"""A stand-in for Rasa or the action server in supervision tests: answers 200 to every GET on --port.

Rasa takes a minute to load, so the supervision tests give `lobby up` and `lobby dialogue` this instead.
--grandchild starts a sleeping child of its own (as servers with workers do); it must die with its parent.
--crash-if PATH exits 3 at once while PATH exists (a part that keeps crashing after a restart);
--slow-if PATH sleeps a minute before listening while PATH exists (a part that is slow to become ready).
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class Ok(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b'{"status": "ok"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--grandchild", action="store_true")
    parser.add_argument("--crash-if", type=Path, default=None)
    parser.add_argument("--slow-if", type=Path, default=None)
    args = parser.parse_args()
    if args.crash_if is not None and args.crash_if.exists():
        print(f"crashing: {args.crash_if} exists", flush=True)
        return 3
    if args.slow_if is not None and args.slow_if.exists():
        time.sleep(60)
    if args.grandchild:
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        print(f"grandchild {child.pid}", flush=True)

        def stop(_signum: int, _frame: object) -> None:  # as servers do: SIGTERM ends their workers too
            child.terminate()
            sys.exit(0)

        signal.signal(signal.SIGTERM, stop)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Ok)
    print(f"listening on {args.port}", flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
