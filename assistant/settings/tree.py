"""The settings tree: loaded once from YAML plus LOBBY_ environment variables, validated, frozen."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import msgspec
import yaml

from assistant.domain.errors import InvalidInput
from assistant.domain.schedule import CounterSchedule
from assistant.domain.tickets import OrderingPolicy
from assistant.settings.base import ENV_PREFIX, ConfigError, Frozen
from assistant.settings.branch import (
    AppointmentConfig,
    BranchInfo,
    CounterConfig,
    DeviceConfig,
    PriorityConfig,
    QueueConfig,
    ServiceConfig,
)
from assistant.settings.stations import (
    DialogueConfig,
    HardwareConfig,
    HubConfig,
    KioskConfig,
    RetentionConfig,
    SupervisionConfig,
)


class Settings(Frozen, frozen=True):
    branch: BranchInfo
    services: tuple[ServiceConfig, ...]
    counters: tuple[CounterConfig, ...]
    devices: tuple[DeviceConfig, ...] = ()
    priority: PriorityConfig = PriorityConfig()
    queue: QueueConfig = QueueConfig()
    appointments: AppointmentConfig = AppointmentConfig()
    kiosk: KioskConfig = KioskConfig()
    hub: HubConfig = HubConfig()
    dialogue: DialogueConfig = DialogueConfig()
    supervision: SupervisionConfig = SupervisionConfig()
    hardware: HardwareConfig = HardwareConfig()
    retention: RetentionConfig = RetentionConfig()
    base_dir: str = "."  # directory of the config file; relative paths resolve here

    def service(self, service_id: str) -> ServiceConfig | None:
        return next((s for s in self.services if s.id == service_id), None)

    def service_for_intent(self, intent: str) -> ServiceConfig | None:
        return next((s for s in self.services if intent in s.intents), None)

    def bookable_service_ids(self) -> tuple[str, ...]:
        """Services that take appointments: `appointments.services`, or every advisor service."""
        return self.appointments.services or tuple(s.id for s in self.services if s.advisor)

    def resolve(self, path: str) -> Path:
        candidate = Path(path)
        return candidate if candidate.is_absolute() else Path(self.base_dir) / candidate

    def database_url(self) -> str:
        if self.hub.database:
            return self.hub.database
        return f"sqlite+aiosqlite:///{self.resolve('var/lobby.db')}"


def _apply_env(raw: dict[str, Any], environ: Mapping[str, str]) -> dict[str, Any]:
    """LOBBY_HUB__PORT=9000 sets raw["hub"]["port"] = "9000" (converted on validation).

    A value written as a YAML/JSON list or mapping is parsed as one:
    LOBBY_BRANCH__OPENING_HOURS__SUN='["10:00", "16:00"]', LOBBY_APPOINTMENTS__BLACKOUT_DATES='[]'.
    """
    for key, value in environ.items():
        if not key.startswith(ENV_PREFIX) or "__" not in key:
            continue
        path = key[len(ENV_PREFIX) :].lower().split("__")
        node = raw
        for part in path[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise ConfigError(f"{key}: {part} is not a section")
            node = child
        node[path[-1]] = _env_value(key, value)
    return raw


def _env_value(key: str, value: str) -> Any:
    if not value.strip().startswith(("[", "{")):
        return value
    try:
        return yaml.safe_load(value)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{key}: not a valid list or mapping: {exc}") from None


T = TypeVar("T")


def read_yaml_mapping(path: Path, missing: str) -> dict[str, Any]:
    """A YAML file whose top level is a mapping; `missing` is the message when it does not exist."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError(missing) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: the top level must be a mapping")
    return raw


def convert(raw: dict[str, Any], schema: type[T], source: str) -> T:
    """Validate `raw` into a frozen struct; errors name the file and the key."""
    try:
        return msgspec.convert(raw, type=schema, strict=False)
    except msgspec.ValidationError as exc:
        raise ConfigError(f"{source}: {exc}") from None


def _validate(raw: dict[str, Any], source: str) -> Settings:
    settings = convert(raw, Settings, source)
    _check(settings, source)
    return settings


def _check(settings: Settings, source: str) -> None:
    service_ids = {s.id for s in settings.services}
    prefixes = [s.prefix for s in settings.services]
    if len(prefixes) != len(set(prefixes)):
        raise ConfigError(f"{source}: two services share a ticket prefix")
    seen: dict[str, str] = {}
    for service in settings.services:
        for intent in service.intents:
            if intent in seen:
                raise ConfigError(f"{source}: intent {intent} maps to {seen[intent]} and {service.id}")
            seen[intent] = service.id
    for counter in settings.counters:
        unknown = set(counter.skills) - service_ids
        if unknown:
            raise ConfigError(f"{source}: counter {counter.id} has unknown skills {sorted(unknown)}")
        try:
            counter_schedule(settings, counter)
        except InvalidInput as exc:
            raise ConfigError(f"{source}: counter {counter.id}: {exc}") from None


def counter_schedule(settings: Settings, counter: CounterConfig) -> CounterSchedule:
    """The plan of a counter: its shifts and breaks, or the branch's opening hours."""
    return CounterSchedule.build(counter.id, counter.shifts, counter.breaks, settings.branch.opening_hours)


def ordering_policy(settings: Settings) -> OrderingPolicy:
    """Who a counter calls next, as `priority:` in branch.yml says (the hub, its projections, the simulator)."""
    return OrderingPolicy(
        classes=settings.priority.classes,
        normal_share=settings.priority.normal_share,
        age_boost_minutes=settings.priority.age_boost_minutes,
    )


def load_settings(
    path: str | Path = "branch.yml",
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Read, override and validate the branch configuration."""
    config_path = Path(path)
    raw = read_yaml_mapping(config_path, f"configuration file not found: {config_path}")
    raw = _apply_env(raw, os.environ if environ is None else environ)
    for dotted, value in (overrides or {}).items():
        section, _, key = dotted.partition(".")
        raw.setdefault(section, {})[key] = value
    raw["base_dir"] = str(config_path.resolve().parent)
    return _validate(raw, str(config_path))
