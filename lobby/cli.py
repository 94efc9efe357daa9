"""`lobby` command line: serve, train, dialogue, kiosk, up, migrate, bench."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable

from assistant.settings import ConfigError
from lobby.common import DEFAULT_MODEL_CACHE, rasa_project, settings_from
from lobby.dialogue import DialogueError
from lobby.kiosk_command import cmd_kiosk

log = logging.getLogger("lobby")


def cmd_serve(args: argparse.Namespace) -> int:
    import gc

    from assistant.services.waits.child import prefork
    from assistant.web.app import create_app
    from hardware.speaker import WavSpeaker  # the spoken calls' renderer: the hub imports no hardware itself

    settings = settings_from(args)
    # The wait projections' process, forked while this one has only imported: no start-up of its own.
    prefork(settings, settings.database_url())
    app = create_app(settings, speech=WavSpeaker)
    host = args.host or settings.hub.host
    port = args.port or settings.hub.port
    # Everything imported so far lives as long as the process: out of the collector's sight, a full
    # collection no longer walks it (one took 180 ms in the first second of load: a ticket's p99 x2.6).
    gc.freeze()
    app.run(host=host, port=port, single_process=True, access_log=False, motd=False)
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from assistant.store.db import create_engine, migrate

    settings = settings_from(args)

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

    settings = settings_from(args)
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
            lines = asyncio.run(token_admin(settings.database_url(), args.action, args.id, datetime.now(UTC), lifetime))
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


def cmd_train(args: argparse.Namespace) -> int:
    project = rasa_project(settings_from(args), args)
    model, seconds = project.train(force=args.force)
    print(f"model: {model} ({f'trained in {seconds:.0f} s' if seconds else 'cached'})")
    return 0


def cmd_dialogue(args: argparse.Namespace) -> int:
    from lobby.up import run_dialogue  # supervised: signals stop both, a part that dies is restarted

    return run_dialogue(settings_from(args), args)


def cmd_up(args: argparse.Namespace) -> int:
    from lobby.up import run_branch

    return run_branch(settings_from(args), args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lobby", description="Lobby: a bank branch's lobby assistant")
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, handler: Callable[[argparse.Namespace], int], help_text: str) -> argparse.ArgumentParser:
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

    from lobby.data_commands import add_announcer_parser, add_data_parser, add_purge_parser
    from lobby.devices_command import add_devices_parser
    from lobby.models import add_models_parser
    from lobby_tools.bench import add_bench_parser
    from lobby_tools.nlu_eval import add_eval_parser
    from lobby_tools.simulate import add_simulate_parser

    add_bench_parser(sub, command)
    add_simulate_parser(sub, command)
    add_eval_parser(sub, command)
    add_announcer_parser(sub, command)  # lobby announcer: calls said on this PC's speaker
    add_models_parser(sub, command)  # lobby models install: a Vosk model per language
    add_data_parser(sub, command)  # lobby backup PATH / lobby restore PATH
    add_devices_parser(sub, command)  # lobby devices: device states from their status document to the hub
    add_purge_parser(sub, command)  # lobby purge: personal data past retention.personal_data_days
    return parser


def _dialogue_errors() -> tuple[type[Exception], ...]:
    """The dialogue's start-up failures. The conversation store's error is named only if a command imported
    its module (the one that raises it): `lobby kiosk` and `lobby --help` start without SQLAlchemy."""
    store = sys.modules.get("assistant.services.conversations")
    return (DialogueError,) if store is None else (DialogueError, store.ConversationStoreError)


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
    except _dialogue_errors() as exc:
        print(f"lobby: dialogue: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
