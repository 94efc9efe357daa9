"""`lobby` starts light: building its parser (every command's options, `lobby --help`) imports no database,
HTTP or Qt library. `lobby kiosk` is started cold on every kiosk boot (`lobby bench kiosk`: start to tiles,
bar 1 s), and SQLAlchemy with Alembic alone cost it ~0.4 s when the backup commands' modules loaded them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from assistant.services.conversations import ConversationStoreError
from lobby import cli
from lobby.dialogue import DialogueError
from tests.support import ROOT

HEAVY = ("sqlalchemy", "alembic", "httpx", "PySide6", "sanic", "asyncpg", "vosk", "numpy", "lobby_tools.simulation")


def test_the_parser_imports_no_database_http_or_qt_library() -> None:
    probe = (
        "import json, sys\n"
        "from lobby.cli import build_parser\n"
        "build_parser().parse_args(['kiosk', '--resolution', '800x1280'])\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    command = [sys.executable, "-c", probe]
    out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(out.stdout) == []


@pytest.mark.parametrize("error", [DialogueError("rasa did not start"), ConversationStoreError("no schema")])
def test_the_dialogue_failures_end_with_their_message_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], error: Exception
) -> None:
    def failing(_args: object) -> int:
        raise error

    monkeypatch.setattr(cli, "cmd_train", failing)
    assert cli.main(["train"]) == 1
    assert capsys.readouterr().err == f"lobby: dialogue: {error}\n"
