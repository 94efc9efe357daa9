"""`lobby up` (the whole branch on this machine: hub, kiosk, action server, Rasa) and `lobby dialogue`.

Both run their parts under one Supervisor (lobby/supervisor.py): a stop signal (SIGTERM, SIGINT, SIGHUP)
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

from assistant.domain.staff import Role
from assistant.settings import Settings
from assistant.store.tokens import issue_token
from lobby.common import rasa_project
from lobby.dialogue import RASA_ENV, DialogueError
from lobby.supervisor import Managed, RestartPolicy, Supervisor

log = logging.getLogger(__name__)


def _lobby(*args: str) -> list[str]:
    return [sys.executable, "-m", "lobby", *args]


def restart_policy(settings: Settings) -> RestartPolicy:
    config = settings.supervision
    return RestartPolicy(
        delay=config.restart_delay_seconds,
        max_delay=config.restart_max_delay_seconds,
        burst=config.restart_burst,
        interval=config.restart_interval_seconds,
    )


def run_branch(settings: Settings, args: argparse.Namespace) -> int:
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
        if settings.hardware.device_status:  # device states from their status document (DeviceMonitor)
            now = datetime.now(UTC)
            token = asyncio.run(issue_token(settings.database_url(), Role.DEVICE, "device status (lobby up)", now))
            devices = Managed(
                "device status", _lobby("devices", *common), None, root,
                env={"LOBBY_HARDWARE__DEVICE_STATUS_TOKEN": token}, log_path=logs / "devices.log",
            )  # fmt: skip
            supervisor.start(devices, timeout=5, essential=False)
            print(f"device status forwarded from {settings.hardware.device_status}", flush=True)
        print("starting the dialogue engine (Rasa needs 45-90 s)...", flush=True)
        for managed in dialogue_processes(settings, args):
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

    supervisor = Supervisor(restart_policy(settings))

    def startup() -> None:
        for managed in dialogue_processes(settings, args):
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


# -- the dialogue's processes (looked up when called: tests put stand-ins in `dialogue_processes`) --


def _actions_token(settings: Settings) -> str:
    """The action server's device token: `dialogue.hub_token`, else a new one in the hub's database (a
    fresh one per start, never written to disk; it lives `hub.device_token_days`)."""
    from datetime import UTC, datetime

    from assistant.domain.staff import Role
    from assistant.store.tokens import issue_token

    if settings.dialogue.hub_token:
        return settings.dialogue.hub_token
    now = datetime.now(UTC)
    return asyncio.run(issue_token(settings.database_url(), Role.DEVICE, "action server (lobby dialogue)", now))


def dialogue_processes(settings: Settings, args: argparse.Namespace) -> list[Managed]:
    """The action server and every Rasa replica of `dialogue.rasa_urls` (one with `--port`), all on the
    tracker and lock stores the configuration names (`assistant.services.conversations`)."""
    from urllib.parse import urlparse

    from assistant.services.conversations import conversation_stores
    from lobby.supervisor import Managed

    project = rasa_project(settings, args)
    model, _ = project.train()
    root = Path(settings.base_dir)
    stores = conversation_stores(settings.dialogue, settings.database_url(), root, settings.branch.id)
    stores.prepare()
    log.info("%s", stores.describe())
    replicas = [urlparse(url) for url in settings.dialogue.replica_urls()]
    # `lobby dialogue` has flags for these; `lobby up` takes them from the configuration.
    if getattr(args, "port", None):  # one replica on this port (one unit per replica, or another machine)
        replicas = replicas[:1]
    if len(replicas) > 1 and stores.lock is None:
        log.warning("%d Rasa replicas without a shared lock store (dialogue.lock_store: redis://...)", len(replicas))
    actions_port = getattr(args, "actions_port", None) or settings.dialogue.actions_port
    logs = root / "var" / "log"
    hub_url = getattr(args, "hub_url", None) or f"http://{settings.hub.host}:{settings.hub.port}"
    processes = [
        Managed(
            "action server",
            project.actions_command(actions_port),
            f"http://127.0.0.1:{actions_port}/health",
            project.root,
            env={**project.actions_env(settings.dialogue.actions_host, hub_url, _actions_token(settings)), **RASA_ENV},
            log_path=logs / "actions.log",
        )
    ]
    for rasa in replicas:
        port = getattr(args, "port", None) or rasa.port or 5005
        one = len(replicas) == 1
        processes.append(
            Managed(
                "rasa" if one else f"rasa :{port}",
                project.server_command(model, rasa.hostname or "127.0.0.1", port, actions_port, stores),
                f"http://127.0.0.1:{port}/status",
                project.root,
                env={**RASA_ENV, **stores.env},
                log_path=logs / ("rasa.log" if one else f"rasa-{port}.log"),
            )
        )
    return processes
