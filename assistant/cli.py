"""`lobby` command line: serve, train, dialogue, kiosk, up, migrate, bench."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

from assistant.dialogue import RASA_ENV, DialogueError
from assistant.settings import ConfigError, Settings, load_settings

log = logging.getLogger("lobby")

DEFAULT_MODEL_CACHE = Path.home() / ".cache" / "lobby" / "models"


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {"hub.database": args.database} if getattr(args, "database", None) else {}
    return load_settings(args.config, overrides=overrides)


def cmd_serve(args: argparse.Namespace) -> int:
    from assistant.web.app import create_app

    settings = _settings(args)
    app = create_app(settings)
    host = args.host or settings.hub.host
    port = args.port or settings.hub.port
    app.run(host=host, port=port, single_process=True, access_log=False, motd=False)
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from assistant.store.db import create_engine, migrate

    settings = _settings(args)

    async def run() -> None:
        engine = create_engine(settings.database_url())
        try:
            await migrate(engine)
        finally:
            await engine.dispose()

    asyncio.run(run())
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from assistant.domain.staff import Role
    from assistant.store.tokens import TokenLifetime, issue_token, rotate_token, token_admin

    settings = _settings(args)
    if args.action == "rotate":  # a new token with the same role and name; the old one stops working now
        try:
            print(asyncio.run(rotate_token(settings.database_url(), args.id or "", datetime.now(UTC))))
        except LookupError as exc:
            print(f"lobby token: {exc}", file=sys.stderr)
            return 1
        print("(the new token; it is shown once, and the old one is revoked)", file=sys.stderr)
        return 0
    if args.action != "create":
        lifetime = TokenLifetime(settings.hub.staff_token_days, settings.hub.device_token_days)
        try:
            lines = asyncio.run(
                token_admin(settings.database_url(), args.action, args.id, datetime.now(UTC), lifetime)
            )
        except LookupError as exc:
            print(f"lobby token: {exc}", file=sys.stderr)
            return 1
        print("\n".join(lines))
        return 0
    if not args.role:
        print("lobby token create: --role is required", file=sys.stderr)
        return 2
    token = asyncio.run(issue_token(settings.database_url(), Role(args.role), args.name, datetime.now(UTC)))
    print(token)
    print(f"(a {args.role} token; it is shown once, only its hash is stored)", file=sys.stderr)
    return 0


def _rasa_project(settings: Settings, args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from assistant.dialogue import RasaProject

    root = Path(settings.base_dir)
    cache = None if args.no_model_cache else Path(args.model_cache)
    return RasaProject(root=root, venv=root / ".venv-rasa", model_cache=cache)


def cmd_train(args: argparse.Namespace) -> int:
    project = _rasa_project(_settings(args), args)
    model, seconds = project.train(force=args.force)
    print(f"model: {model} ({f'trained in {seconds:.0f} s' if seconds else 'cached'})")
    return 0


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


def _dialogue_processes(settings: Settings, args: argparse.Namespace) -> list:  # type: ignore[type-arg]
    """The action server and every Rasa replica of `dialogue.rasa_urls` (one with `--port`), all on the
    tracker and lock stores the configuration names (`assistant.dialogue_stores`)."""
    from urllib.parse import urlparse

    from assistant.dialogue_stores import conversation_stores
    from assistant.supervisor import Managed

    project = _rasa_project(settings, args)
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


def cmd_dialogue(args: argparse.Namespace) -> int:
    from assistant.up import run_dialogue  # supervised: signals stop both, a part that dies is restarted

    return run_dialogue(_settings(args), args)


def cmd_kiosk(args: argparse.Namespace) -> int:
    from hardware import microphone_from_config, printer_from_uri, recognizer_from_config, speaker_from_config

    settings = _settings(args)
    if args.screenshots:
        return _kiosk_screenshots(settings, Path(args.screenshots), args.resolution, args.mode)
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        log.warning("no display: the kiosk runs offscreen and logs what it shows")
    from kiosk.app import run_kiosk

    hardware = settings.hardware
    printer_uri = hardware.printer
    if printer_uri.startswith("file://") and not printer_uri.startswith("file:///"):
        printer_uri = "file://" + str(settings.resolve(printer_uri[len("file://") :]))
    from assistant.models import kiosk_grammars, kiosk_recognizers
    from hardware.scanner import scanner_from_config
    from kiosk.i18n import catalog

    voices = {lang: catalog(lang).voice for lang in settings.kiosk.languages}  # the catalog names each voice

    return run_kiosk(
        hub_url=args.hub_url or settings.hub.public_url,
        branch_name=_branch_names(settings),  # the kiosk names the branch in the language it shows
        printer=printer_from_uri(printer_uri),
        speaker=speaker_from_config(hardware.speaker, settings.resolve(hardware.voice_dir), voices),
        microphone=microphone_from_config(hardware.microphone),
        recognizer=recognizer_from_config(""),  # every kiosk language has its own (below)
        lang=args.lang or settings.kiosk.languages[0],
        idle_timeout_s=settings.kiosk.idle_timeout_seconds,
        hub_token=settings.kiosk.token,
        languages=settings.kiosk.languages,
        scanner=scanner_from_config(hardware.scanner),
        hands_free=settings.kiosk.hands_free,
        recognizers=kiosk_recognizers(settings),  # one Vosk model per language, loaded once
        grammars=kiosk_grammars(settings),
        look=_kiosk_look(settings),
        orientation=settings.kiosk.orientation,
        resolution=args.resolution or settings.kiosk.resolution,
    )


def _kiosk_look(settings: Settings):  # type: ignore[no-untyped-def]
    """branch.yml `kiosk:`: accent colour, logo, elderly-friendly mode and its idle timeout and speech."""
    from kiosk.app import KioskLook

    kiosk = settings.kiosk
    return KioskLook(
        accent=kiosk.theme.accent,
        logo=str(settings.resolve(kiosk.theme.logo)) if kiosk.theme.logo else "",
        elderly=kiosk.elderly_mode,
        elderly_idle_timeout_s=kiosk.elderly_idle_timeout_seconds,
        elderly_speech_tempo=kiosk.elderly_speech_tempo,
    )


def _branch_names(settings: Settings) -> dict[str, str]:
    """The branch's name in each kiosk language and English (branch.yml `branch.name`, per language or one)."""
    return {lang: settings.branch.display_name(lang) for lang in dict.fromkeys(("en", *settings.kiosk.languages))}


def _kiosk_screenshots(settings: Settings, out: Path, resolution: str | None = None, mode: str | None = None) -> int:
    """Render every kiosk screen offscreen to PNG files (the branch's services, sample outcomes), for every
    designed layout or `resolution`, in every mode or `mode`, with a contact sheet per layout and mode."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication

    from assistant.protocol import ServiceView
    from kiosk.screenshots import take_screenshots

    app = QApplication.instance() or QApplication(["lobby-kiosk-screenshots"])
    bookable = set(settings.bookable_service_ids())

    def services(lang: str) -> list[ServiceView]:
        return [
            ServiceView(s.id, s.display_name(lang), s.prefix, s.intents, s.advisor, s.id in bookable)
            for s in settings.services
        ]

    from kiosk.layout import LAYOUTS, choose_layout, parse_resolution
    from kiosk.matrix import Mode

    layouts = LAYOUTS if not resolution else (choose_layout(parse_resolution(resolution), "auto", resolution),)
    look = _kiosk_look(settings)
    written = take_screenshots(
        out, _branch_names(settings), services, layouts, tuple(Mode) if not mode else (Mode(mode),), look.logo,
        look.accent,
    )  # fmt: skip
    print("\n".join(str(path) for path in written))
    del app
    return 0


def cmd_up(args: argparse.Namespace) -> int:
    from assistant.up import run_branch

    return run_branch(_settings(args), args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lobby", description="Lobby: a bank branch's lobby assistant")
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, handler, help_text: str) -> argparse.ArgumentParser:  # type: ignore[no-untyped-def]
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--config", default="branch.yml", help="branch configuration (default branch.yml)")
        p.add_argument("--database", default=None, help="database URL (default sqlite file var/lobby.db)")
        p.set_defaults(handler=handler)
        return p

    def rasa_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--model-cache", default=str(DEFAULT_MODEL_CACHE), help="shared trained-model cache")
        p.add_argument("--no-model-cache", action="store_true", help="do not use the shared model cache")

    serve = command("serve", cmd_serve, "run the branch hub (HTTP + WebSocket API)")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)

    command("migrate", cmd_migrate, "bring the database schema up to date")

    token = command("token", cmd_token, "create a bearer token for staff or a device")
    token.add_argument("action", choices=["create", "list", "revoke", "rotate"])
    token.add_argument("id", nargs="?", help="the token id to revoke or rotate (from `lobby token list`)")
    token.add_argument("--role", choices=["teller", "manager", "admin", "device"])
    token.add_argument("--name", default="", help="who or what holds it (shown in audits)")

    train = command("train", cmd_train, "train the dialogue model (cached by a hash of its inputs)")
    train.add_argument("--force", action="store_true")
    rasa_options(train)

    dialogue = command("dialogue", cmd_dialogue, "run the Rasa server and the action server")
    dialogue.add_argument("--port", type=int, default=None, help="Rasa server port (default 5005)")
    dialogue.add_argument("--actions-port", type=int, default=None, help="action server port (default 5055)")
    dialogue.add_argument("--hub-url", default=None, help="hub URL the actions call")
    dialogue.add_argument("--timeout", type=float, default=300, help="seconds to wait for each to be ready")
    rasa_options(dialogue)

    kiosk = command("kiosk", cmd_kiosk, "run the greeter kiosk")
    kiosk.add_argument("--hub-url", default=None)
    kiosk.add_argument("--lang", default=None)
    kiosk.add_argument("--screenshots", metavar="DIR", default=None, help="write a PNG of every screen to DIR and exit")
    kiosk.add_argument("--resolution", metavar="WxH", default=None,
                       help="the window's size (default: the screen's, or kiosk.resolution); with --screenshots one "
                       "layout (default: 1280x800, 1920x1080, 1080x1920 and 800x1280)")  # fmt: skip
    kiosk.add_argument("--mode", choices=("normal", "elderly", "high-contrast"), default=None,
                       help="with --screenshots: only this mode (default: all three)")  # fmt: skip

    up = command("up", cmd_up, "run the whole branch on this machine")
    up.add_argument("--no-kiosk", action="store_true", help="do not start the kiosk")
    up.add_argument("--timeout", type=float, default=300, help="seconds to wait for each part to be ready")
    rasa_options(up)

    from assistant.announcer import add_announcer_parser
    from assistant.backup import add_data_parser
    from assistant.bench import add_bench_parser
    from assistant.models import add_models_parser
    from assistant.nlu_eval import add_eval_parser
    from assistant.retention import add_purge_parser
    from assistant.simulate import add_simulate_parser

    add_bench_parser(sub, command)
    add_simulate_parser(sub, command)
    add_eval_parser(sub, command)
    add_announcer_parser(sub, command)  # lobby announcer: calls said on this PC's speaker
    add_models_parser(sub, command)  # lobby models install: a Vosk model per language
    add_data_parser(sub, command)  # lobby backup PATH / lobby restore PATH
    add_purge_parser(sub, command)  # lobby purge: personal data past retention.personal_data_days
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per health check is noise
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # seven "setup plugin" lines a command
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except ConfigError as exc:
        print(f"lobby: configuration error: {exc}", file=sys.stderr)
        return 2
    except DialogueError as exc:
        print(f"lobby: dialogue: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
