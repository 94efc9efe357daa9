"""The whole branch as real processes on 127.0.0.1: hub, action server, Rasa server.

Started once per test session (Rasa needs ~90 s to load); every wait has a timeout.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.dialogue import RasaProject
from assistant.supervisor import Managed, Supervisor
from tests.support import ROOT, free_port

MODEL_CACHE = Path.home() / ".cache" / "lobby" / "models"


@dataclass(frozen=True)
class Branch:
    hub_url: str
    rasa_url: str
    actions_url: str
    logs: Path


@pytest.fixture(scope="session")
def branch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Branch]:
    project = RasaProject(root=ROOT, venv=ROOT / ".venv-rasa", model_cache=MODEL_CACHE)
    if not project.rasa.exists():
        pytest.fail(f"{project.rasa} is missing: run `make setup` (make test does) first")
    model, _ = project.train()
    logs = tmp_path_factory.mktemp("branch")
    hub_port, rasa_port, actions_port = free_port(), free_port(), free_port()
    hub_url = f"http://127.0.0.1:{hub_port}"
    rasa_url = f"http://127.0.0.1:{rasa_port}"
    hub_command = [sys.executable, "-m", "assistant", "serve", "--config", str(ROOT / "branch.yml")]
    hub_command += ["--database", f"sqlite:///{logs / 'hub.db'}", "--port", str(hub_port)]
    supervisor = Supervisor()
    try:
        supervisor.start(
            Managed(
                "hub",
                hub_command,
                f"{hub_url}/healthz",
                ROOT,
                env={"LOBBY_DIALOGUE__RASA_URL": rasa_url, "LOBBY_HUB__PUBLIC_URL": hub_url},
                log_path=logs / "hub.log",
            ),
            timeout=60,
        )
        supervisor.start(
            Managed(
                "action server",
                project.actions_command(actions_port),
                f"http://127.0.0.1:{actions_port}/health",
                ROOT,
                env={"LOBBY_HUB_URL": hub_url},
                log_path=logs / "actions.log",
            ),
            timeout=180,
        )
        supervisor.start(
            Managed(
                "rasa",
                project.server_command(model, "127.0.0.1", rasa_port, actions_port),
                f"{rasa_url}/status",
                ROOT,
                log_path=logs / "rasa.log",
            ),
            timeout=400,
        )
        yield Branch(hub_url, rasa_url, f"http://127.0.0.1:{actions_port}", logs)
    finally:
        supervisor.stop_all()
