"""`lobby kiosk` hands the kiosk the branch's name in every language it shows (branch.yml names it per language)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import kiosk.app
import kiosk.screenshots
from lobby.cli import build_parser
from tests.support import ROOT

BRANCH_NAMES = {"en": "Lobby Demo Branch", "zh": "Lobby 演示支行"}  # branch.yml's branch.name


@pytest.fixture
def no_hardware(monkeypatch: pytest.MonkeyPatch) -> None:
    """No printer, speaker or microphone opened by the command (the kiosk itself is replaced)."""
    for device in ("PRINTER", "SPEAKER", "MICROPHONE"):
        monkeypatch.setenv(f"LOBBY_HARDWARE__{device}", "none:")


@pytest.mark.usefixtures("no_hardware")
def test_the_kiosk_gets_the_branch_name_per_language(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def run_kiosk(**options: Any) -> int:
        seen.update(options)
        return 0

    monkeypatch.setattr(kiosk.app, "run_kiosk", run_kiosk)
    args = build_parser().parse_args(["kiosk", "--config", str(ROOT / "branch.yml"), "--hub-url", "http://127.0.0.1:9"])
    assert args.handler(args) == 0
    assert seen["branch_name"] == BRANCH_NAMES


def test_the_screenshots_get_the_branch_name_per_language(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen: list[Any] = []

    def take_screenshots(out: Path, branch_name: Any, services: Any, *more: Any) -> list[Path]:
        seen.append(branch_name)
        seen.append(more)
        return []

    monkeypatch.setattr(kiosk.screenshots, "take_screenshots", take_screenshots)
    args = build_parser().parse_args(
        ["kiosk", "--config", str(ROOT / "branch.yml"), "--screenshots", str(tmp_path), "--resolution", "1080x1920",
         "--mode", "elderly"]
    )  # fmt: skip
    assert args.handler(args) == 0
    assert seen[0] == BRANCH_NAMES
    layouts, modes, logo, accent = seen[1]
    assert [layout.name for layout in layouts] == ["1080x1920"] and [str(mode) for mode in modes] == ["elderly"]
    assert logo.endswith("kiosk/assets/demo-bank-logo.svg") and accent == "#1f5fa8"  # branch.yml kiosk.theme
