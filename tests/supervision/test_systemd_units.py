"""The systemd units of deploy/systemd (the production path) are valid and run real `lobby` subcommands.

The units name the checkout at /opt/lobby; here they are rendered for this checkout (the same text with
/opt/lobby replaced by the repository's path), so `systemd-analyze verify` also checks that every
ExecStart binary exists and is executable. It needs no running systemd (works in a container).
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from lobby.cli import build_parser
from tests.support import ROOT

UNITS = ROOT / "deploy" / "systemd"
INSTALLED_AT = "/opt/lobby"
SERVICES = {"lobby-hub.service": "serve", "lobby-dialogue.service": "dialogue", "lobby-kiosk.service": "kiosk"}
# systemd-analyze security: overall exposure, 0 (locked down) to 10 (unprotected), times 10 for --threshold.
MAX_EXPOSURE = {"lobby-hub.service": 20, "lobby-dialogue.service": 20, "lobby-kiosk.service": 40}


def _systemd_analyze() -> str:
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.fail("systemd-analyze is missing: `apt-get install systemd` (scripts/setup.sh installs it)")
    return tool


def _parse(path: Path) -> dict[str, dict[str, list[str]]]:
    """Sections -> key -> values (a key may repeat, as Environment= does)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


@pytest.fixture
def rendered(tmp_path: Path) -> list[Path]:
    paths = []
    for unit in sorted(UNITS.iterdir()):
        target = tmp_path / unit.name
        target.write_text(unit.read_text().replace(INSTALLED_AT, str(ROOT)))
        paths.append(target)
    return paths


def test_the_repository_has_a_unit_per_part_and_a_target() -> None:
    assert sorted(path.name for path in UNITS.iterdir()) == sorted([*SERVICES, "lobby.target"])


def test_systemd_analyze_verify_accepts_every_unit_without_a_warning(rendered: list[Path]) -> None:
    result = subprocess.run(
        [_systemd_analyze(), "verify", "--man=no", *map(str, rendered)],
        capture_output=True, text=True, timeout=60, cwd=rendered[0].parent,
    )  # fmt: skip
    assert result.returncode == 0 and not (result.stdout + result.stderr).strip(), result.stdout + result.stderr


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_each_service_is_hardened(rendered: list[Path], service: str) -> None:
    unit = next(path for path in rendered if path.name == service)
    result = subprocess.run(
        [_systemd_analyze(), "security", "--offline=yes", "--no-pager", f"--threshold={MAX_EXPOSURE[service]}",
         str(unit)],
        capture_output=True, text=True, timeout=60, cwd=unit.parent,
    )  # fmt: skip
    summary = result.stdout.strip().splitlines()[-1:] or [result.stderr]
    assert result.returncode == 0, f"exposure above {MAX_EXPOSURE[service] / 10}: {summary}"


@pytest.mark.parametrize(("service", "command"), sorted(SERVICES.items()))
def test_each_service_runs_its_lobby_subcommand_is_restarted_and_belongs_to_the_target(service, command) -> None:
    unit = _parse(UNITS / service)
    run = unit["Service"]
    (exec_start,) = run["ExecStart"]
    argv = shlex.split(exec_start)
    assert argv[0] == f"{INSTALLED_AT}/.venv/bin/lobby"  # the console script of pyproject's [project.scripts]
    assert (ROOT / ".venv" / "bin" / "lobby").exists()
    args = build_parser().parse_args(argv[1:])  # exits (SystemExit) on an unknown subcommand or option
    assert args.command == command
    assert Path(args.config.replace(INSTALLED_AT, str(ROOT))).is_file()
    assert run["Restart"] == ["always"] and run["User"] == ["lobby"]
    assert run["NoNewPrivileges"] == ["yes"] and run["ProtectSystem"] == ["strict"]
    assert unit["Unit"]["PartOf"] == ["lobby.target"] and unit["Install"]["WantedBy"] == ["lobby.target"]


def test_the_target_wants_every_service() -> None:
    target = _parse(UNITS / "lobby.target")
    assert sorted(" ".join(target["Unit"]["Wants"]).split()) == sorted(SERVICES)
    assert target["Install"]["WantedBy"] == ["multi-user.target"]
