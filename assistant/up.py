"""`lobby up` (the whole branch on this machine: hub, kiosk, action server, Rasa) and `lobby dialogue`.

Both run their parts under one Supervisor (assistant/supervisor.py): a stop signal (SIGTERM, SIGINT, SIGHUP)
stops every part and exits 0; a part that dies is restarted with backoff while the others keep serving.
In `lobby up` only the hub is essential: without Rasa, the action server or the kiosk a branch still
issues tickets (the chat falls back to a touch menu), so giving up on one of them does not stop the hub.
In `lobby dialogue` both parts are essential: given up, it exits 1 for its service manager to act.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from assistant.dialogue import DialogueError
from assistant.domain.staff import Role
from assistant.settings import Settings
from assistant.store.tokens import issue_token
from assistant.supervisor import Managed, RestartPolicy, Supervisor

log = logging.getLogger(__name__)


def _lobby(*args: str) -> list[str]:
    return [sys.executable, "-m", "assistant", *args]


def restart_policy(settings: Settings) -> RestartPolicy:
    config = settings.supervision
    return RestartPolicy(
        delay=config.restart_delay_seconds,
        max_delay=config.restart_max_delay_seconds,
        burst=config.restart_burst,
        interval=config.restart_interval_seconds,
    )


def run_branch(settings: Settings, args: argparse.Namespace) -> int:
    from assistant import cli  # the dialogue's processes are looked up when called (tests put stand-ins there)

    root = Path(settings.base_dir)
    logs = root / "var" / "log"
    common = ["--config", str(Path(args.config).resolve())]
    if args.database:
        common += ["--database", args.database]
    hub_url = f"http://{settings.hub.host}:{settings.hub.port}"
    supervisor = Supervisor(restart_policy(settings))
    started = time.monotonic()

    def startup() -> None:
        hub = Managed("hub", _lobby("serve", *common), f"{hub_url}/healthz", root, log_path=logs / "hub.log")
        waited = supervisor.start(hub, timeout=60)
        print(f"hub ready in {waited:.1f} s: {hub_url}", flush=True)
        if not args.no_kiosk:
            # The kiosk authenticates as a device; a fresh token each start, never written to disk.
            now = datetime.now(UTC)
            token = asyncio.run(issue_token(settings.database_url(), Role.DEVICE, "kiosk (lobby up)", now))
            kiosk = Managed(
                "kiosk", _lobby("kiosk", *common), None, root, env={"LOBBY_KIOSK__TOKEN": token},
                log_path=logs / "kiosk.log",
            )  # fmt: skip
            supervisor.start(kiosk, timeout=5, essential=False)
            print(f"kiosk started (log: {kiosk.log_path})", flush=True)
        print("starting the dialogue engine (Rasa needs 45-90 s)...", flush=True)
        for managed in cli._dialogue_processes(settings, args):
            waited = supervisor.start(managed, timeout=args.timeout, essential=False)
            print(f"{managed.name} ready in {waited:.1f} s", flush=True)
        print(
            f"\nLobby branch {settings.branch.name!r} is up in {time.monotonic() - started:.0f} s.\n"
            f"  hub API          {hub_url}/api/v1   (OpenAPI: {hub_url}/api/v1/openapi.json)\n"
            f"  events           ws://{settings.hub.host}:{settings.hub.port}/api/v1/events\n"
            f"  ticket tracking  {settings.hub.public_url}/t/<ticket id>  (the QR code on each ticket)\n"
            f"  Rasa             {', '.join(settings.dialogue.replica_urls())}\n"
            f"  kiosk            {'not started' if args.no_kiosk else 'window (offscreen without a display)'}\n"
            f"  logs             {logs}\n"
            "Press Ctrl-C to stop (or send SIGTERM); a part that dies is restarted.",
            flush=True,
        )

    return _supervise(supervisor, startup)


def run_dialogue(settings: Settings, args: argparse.Namespace) -> int:
    """`lobby dialogue`: the action server and Rasa, supervised like `lobby up` supervises the branch."""
    from assistant import cli

    supervisor = Supervisor(restart_policy(settings))

    def startup() -> None:
        for managed in cli._dialogue_processes(settings, args):
            waited = supervisor.start(managed, timeout=args.timeout)
            print(f"{managed.name} ready in {waited:.1f} s", flush=True)

    return _supervise(supervisor, startup)


def _supervise(supervisor: Supervisor, startup: Callable[[], None]) -> int:
    try:
        code = supervisor.run(startup)
    except DialogueError as exc:  # training failed: the parts already started are stopped by now
        log.error("%s", exc)
        code = 1
    print("stopped.", flush=True)
    return code
