"""What every `lobby` command shares: the branch settings from its flags, the Rasa project and model cache."""

from __future__ import annotations

import argparse
from pathlib import Path

from assistant.settings import Settings, load_settings
from lobby.dialogue import RasaProject

DEFAULT_MODEL_CACHE = Path.home() / ".cache" / "lobby" / "models"


def settings_from(args: argparse.Namespace) -> Settings:
    """branch.yml (`--config`) with `--database` over `hub.database`: loaded once per command."""
    overrides = {"hub.database": args.database} if getattr(args, "database", None) else {}
    return load_settings(args.config, overrides=overrides)


def rasa_project(settings: Settings, args: argparse.Namespace) -> RasaProject:
    root = Path(settings.base_dir)
    cache = None if args.no_model_cache else Path(args.model_cache)
    return RasaProject(root=root, venv=root / ".venv-rasa", model_cache=cache)
