"""`lobby up`: the whole branch on this machine (hub, kiosk, action server, Rasa)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from assistant.dialogue import DialogueError
from assistant.domain.staff import Role
from assistant.settings import Settings
from assistant.store.tokens import issue_token
from assistant.supervisor import Managed, StartupError, Supervisor

log = logging.getLogger(__name__)


def _lobby(*args: str) -> list[str]:
    return [sys.executable, "-m", "assistant", *args]


def run_branch(settings: Settings, args: argparse.Namespace) -> int:
    from assistant.cli import _dialogue_processes

    root = Path(settings.base_dir)
    logs = root / "var" / "log"
    common = ["--config", str(Path(args.config).resolve())]
    if args.database:
        common += ["--database", args.database]
    hub_url = f"http://{settings.hub.host}:{settings.hub.port}"
    supervisor = Supervisor()
    started = time.monotonic()
    try:
        waited = supervisor.start(
            Managed("hub", _lobby("serve", *common), f"{hub_url}/healthz", root, log_path=logs / "hub.log"),
            timeout=60,
        )
        print(f"hub ready in {waited:.1f} s: {hub_url}", flush=True)
        if not args.no_kiosk:
            # The kiosk authenticates as a device; a fresh token each start, never written to disk.
            now = datetime.now(UTC)
            token = asyncio.run(issue_token(settings.database_url(), Role.DEVICE, "kiosk (lobby up)", now))
            kiosk = Managed(
                "kiosk", _lobby("kiosk", *common), None, root, env={"LOBBY_KIOSK__TOKEN": token},
                log_path=logs / "kiosk.log",
            )  # fmt: skip
            supervisor.start(kiosk, timeout=5)
            print(f"kiosk started (log: {kiosk.log_path})", flush=True)
        print("starting the dialogue engine (Rasa needs 45-90 s)...", flush=True)
        for managed in _dialogue_processes(settings, args):
            waited = supervisor.start(managed, timeout=args.timeout)
            print(f"{managed.name} ready in {waited:.1f} s", flush=True)
        print(
            f"\nLobby branch {settings.branch.name!r} is up in {time.monotonic() - started:.0f} s.\n"
            f"  hub API          {hub_url}/api/v1   (OpenAPI: {hub_url}/api/v1/openapi.json)\n"
            f"  events           ws://{settings.hub.host}:{settings.hub.port}/api/v1/events\n"
            f"  ticket tracking  {settings.hub.public_url}/t/<ticket id>  (the QR code on each ticket)\n"
            f"  Rasa             {settings.dialogue.rasa_url}\n"
            f"  kiosk            {'not started' if args.no_kiosk else 'window (offscreen without a display)'}\n"
            f"  logs             {logs}\n"
            "Press Ctrl-C to stop.",
            flush=True,
        )
        died = supervisor.wait()
        if died is not None:
            log.error("%s stopped unexpectedly; stopping the branch (see %s)", died, logs)
            return 1
        return 0
    except (StartupError, DialogueError) as exc:
        log.error("%s", exc)
        return 1
    finally:
        print("stopping...", flush=True)
        supervisor.stop_all()
