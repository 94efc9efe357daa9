"""Driving Rasa, which lives in its own Python 3.10 environment (.venv-rasa).

Training is cached by a hash of its inputs (config.yml, domain.yml, nlu_data/,
the pipeline's own components and the Rasa version), read as training reads
them (comments and layout do not count): `lobby train` is instant when nothing
changed.
"""

from __future__ import annotations

import ast
import hashlib
import json
import logging
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:
    from assistant.services.conversations import ConversationStores

log = logging.getLogger(__name__)

RASA_VERSION = "3.6.21"
TRAINING_INPUTS = ("config.yml", "domain.yml")
TRAINING_DIRS = ("nlu_data",)
# Code the trained pipeline runs (config.yml names its components): a change retrains too.
COMPONENT_DIRS = ("rasa_addons", "lobby_wire")


# Rasa phones home (telemetry, Sentry error reports) unless told not to; branches are often offline and a
# bank's conversations must not leave the building. Every Rasa process we start gets this.
RASA_ENV = {"RASA_TELEMETRY_ENABLED": "false"}


class DialogueError(Exception):
    pass


def training_content(path: Path) -> bytes:
    """A training input as training sees it: YAML as its parsed data (mappings with sorted keys), Python as
    its syntax tree; anything else, or a file that does not parse (training will say why), as its bytes."""
    raw = path.read_bytes()
    try:
        if path.suffix in (".yml", ".yaml"):
            data = yaml.safe_load(raw.decode("utf-8"))
            return b"yaml:" + json.dumps(data, sort_keys=True, ensure_ascii=False, default=repr).encode()
        if path.suffix == ".py":
            return b"python:" + ast.dump(ast.parse(raw, filename=str(path))).encode()
    except (yaml.YAMLError, SyntaxError, UnicodeDecodeError, ValueError):
        pass
    return b"bytes:" + raw


@dataclass(frozen=True, slots=True)
class RasaProject:
    root: Path
    venv: Path
    model_cache: Path | None = None  # shared across checkouts, e.g. ~/.cache/lobby/models

    @property
    def rasa(self) -> Path:
        return self.venv / "bin" / "rasa"

    @property
    def models(self) -> Path:
        return self.root / "models"

    def check(self) -> None:
        if not self.rasa.exists():
            raise DialogueError(f"Rasa is not installed at {self.rasa}; run `make setup` first")

    def input_files(self) -> list[Path]:
        files = [self.root / name for name in TRAINING_INPUTS]
        for directory in TRAINING_DIRS:
            files += sorted(p for p in (self.root / directory).rglob("*") if p.is_file())
        for directory in COMPONENT_DIRS:
            files += sorted((self.root / directory).rglob("*.py"))
        return files

    def input_hash(self) -> str:
        """What training reads, as it reads it: a comment, blank line or re-indent in a YAML file or in the
        components' code changes no model, so it retrains nothing (README, "make setup")."""
        digest = hashlib.sha256(f"rasa=={RASA_VERSION}\n".encode())
        for path in self.input_files():
            if not path.exists():
                raise DialogueError(f"training input missing: {path}")
            digest.update(str(path.relative_to(self.root)).encode() + b"\0")
            digest.update(training_content(path) + b"\0")
        return digest.hexdigest()[:16]

    def model_path(self) -> Path:
        return self.models / f"lobby-{self.input_hash()}.tar.gz"

    def train(self, force: bool = False) -> tuple[Path, float]:
        """Train unless a model for these exact inputs exists; returns (model, seconds spent)."""
        self.check()
        target = self.model_path()
        cached = self.model_cache / target.name if self.model_cache else None
        if target.exists() and not force:
            log.info("model up to date: %s", target)
            return target, 0.0
        if cached is not None and cached.exists() and not force:
            self.models.mkdir(parents=True, exist_ok=True)
            shutil.copy2(cached, target)
            log.info("model restored from cache %s", cached)
            return target, 0.0
        started = time.monotonic()
        command = [
            str(self.rasa), "train", "--config", "config.yml", "--domain", "domain.yml",
            "--data", *TRAINING_DIRS, "--out", str(self.models), "--fixed-model-name", target.name[:-7],
        ]  # fmt: skip
        log.info("training the dialogue model: %s", " ".join(command))
        result = subprocess.run(command, cwd=self.root, check=False, env={**os.environ, **RASA_ENV})
        if result.returncode != 0 or not target.exists():
            raise DialogueError(f"rasa train failed (exit {result.returncode})")
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(target, cached)
        return target, time.monotonic() - started

    def endpoints_file(self, actions_port: int, stores: ConversationStores | None = None) -> Path:
        """Rasa's endpoints: the action server, and where conversations and their locks live (see
        `assistant.services.conversations`; none: Rasa's memory). Replaced whole, so a replica starting
        while another writes it never reads half a file."""
        path = self.root / "var" / f"endpoints-{actions_port}.yml"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = f'action_endpoint:\n  url: "http://127.0.0.1:{actions_port}/webhook"\n'
        text += stores.endpoints_yaml() if stores is not None else ""
        partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        partial.write_text(text)
        partial.replace(path)
        return path

    def server_command(
        self, model: Path, host: str, port: int, actions_port: int, stores: ConversationStores | None = None
    ) -> list[str]:
        return [
            str(self.rasa), "run", "--enable-api", "--interface", host, "--port", str(port),
            "--model", str(model), "--endpoints", str(self.endpoints_file(actions_port, stores)),
        ]  # fmt: skip

    def actions_command(self, port: int) -> list[str]:
        return [str(self.rasa), "run", "actions", "--port", str(port), "--actions", "actions"]

    @staticmethod
    def actions_env(host: str, hub_url: str, hub_token: str) -> dict[str, str]:
        """The action server's environment: where it listens (rasa-sdk has no flag for the address and
        reads SANIC_HOST, default 0.0.0.0: every network), and the hub it calls with which token."""
        return {"SANIC_HOST": host, "LOBBY_HUB_URL": hub_url, "LOBBY_HUB_TOKEN": hub_token}
