"""`lobby up` / `lobby dialogue` exactly as the command line runs them, with stand-ins for Rasa and the actions.

    python -m tests.supervision.entry WORKDIR up --no-kiosk --config branch.yml

runs `lobby.cli.main(["up", ...])`: the real hub (`lobby serve`), the real supervisor and signal
handling; only `lobby.up.dialogue_processes` (looked up when `lobby up`/`lobby dialogue` call it)
returns two small HTTP servers (tests/supervision/standin.py) on the configured Rasa and action-server
ports instead of the real ones. WORKDIR holds their logs and the marker files that make the Rasa
stand-in crash (WORKDIR/crash-rasa) or be slow to start (WORKDIR/slow-rasa).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

from assistant.settings import Settings
from lobby import cli, up
from lobby.supervisor import Managed

STANDIN = Path(__file__).with_name("standin.py")


def standins(work: Path) -> Callable[[Settings, argparse.Namespace], list[Managed]]:
    def processes(settings: Settings, args: argparse.Namespace) -> list[Managed]:
        rasa_port = urlparse(settings.dialogue.rasa_url).port
        actions_port = settings.dialogue.actions_port
        python = [sys.executable, str(STANDIN)]
        return [
            Managed(
                "action server", [*python, "--port", str(actions_port)],
                f"http://127.0.0.1:{actions_port}/health", work, log_path=work / "actions.log",
            ),
            Managed(
                "rasa",
                [*python, "--port", str(rasa_port), "--grandchild",
                 "--crash-if", str(work / "crash-rasa"), "--slow-if", str(work / "slow-rasa")],
                f"http://127.0.0.1:{rasa_port}/status", work, log_path=work / "rasa.log",
            ),
        ]  # fmt: skip

    return processes


if __name__ == "__main__":
    workdir = Path(sys.argv[1])
    up.dialogue_processes = standins(workdir)
    sys.exit(cli.main(sys.argv[2:]))
