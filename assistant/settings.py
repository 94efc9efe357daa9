"""One configuration tree: branch.yml + LOBBY_* environment overrides.

Loaded once by the CLI (or a test), validated, frozen, and passed down. No
other module reads the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import msgspec
import yaml

from assistant.domain.errors import InvalidInput
from assistant.domain.schedule import CounterSchedule
from lobby_wire.lang import normalise_lang

ENV_PREFIX = "LOBBY_"


class ConfigError(Exception):
    """The configuration is missing or invalid; the message says where."""


class Frozen(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    pass


# Words a customer reads in branch.yml (names, locations, the address): one string for every
# language, or one per language ({en: "Counter 1", zh: "1号窗口"}), the form services' names use.
Text = str | dict[str, str]


def in_lang(text: Text, lang: str | None) -> str:
    """`text` in `lang` ("zh", "zh-CN", ...), else in English, else in the first language it has."""
    if isinstance(text, str):
        return text
    wanted = normalise_lang(lang) or "en"
    return text.get(wanted) or text.get("en") or next(iter(text.values()), "")


def _check_text(text: Text, where: str) -> None:
    if isinstance(text, dict) and not any(text.values()):
        raise ValueError(f"{where}: give a string or at least one language, e.g. {{en: ..., zh: ...}}")


class BranchInfo(Frozen):
    """`name`, `address` and each of `facilities` may be given per language; the `*_i18n` fields hold
    them as written, the plain properties give English (for logs, calendars, staff screens) and
    `display_*(lang)` the customer's language."""

    id: str
    name_i18n: Text = msgspec.field(name="name")
    timezone: str = "UTC"
    opening_hours: dict[str, tuple[str, str]] = {}
    address_i18n: Text = msgspec.field(default="", name="address")  # said for "where are you?"
    phone: str = ""
    # e.g. "step-free access", "hearing loop"
    facilities_i18n: tuple[Text, ...] = msgspec.field(default=(), name="facilities")

    def __post_init__(self) -> None:
        for text in (self.name_i18n, self.address_i18n, *self.facilities_i18n):
            _check_text(text, "branch")

    @property
    def name(self) -> str:
        return in_lang(self.name_i18n, "en")

    @property
    def address(self) -> str:
        return in_lang(self.address_i18n, "en")

    @property
    def facilities(self) -> tuple[str, ...]:
        return self.display_facilities("en")

    def display_name(self, lang: str | None) -> str:
        return in_lang(self.name_i18n, lang)

    def display_address(self, lang: str | None) -> str:
        return in_lang(self.address_i18n, lang)

    def display_facilities(self, lang: str | None) -> tuple[str, ...]:
        return tuple(in_lang(facility, lang) for facility in self.facilities_i18n)


class DeviceRule(Frozen):
    kind: str
    intents: tuple[str, ...]
    max_amount: int | None = None


class ServiceConfig(Frozen):
    id: str
    name: Text
    prefix: str
    handling_minutes: float
    intents: tuple[str, ...]
    devices: tuple[DeviceRule, ...] = ()
    advisor: bool = False
    # The service level: a wait up to this is "within target" (SLA share on /dashboard); a
    # longest current wait past it raises a `service.alert`.
    target_wait_minutes: float = 15
    # Customers may join this queue from the bank's app (mobile/web chat) while the branch is open.
    remote_join: bool = True

    def __post_init__(self) -> None:
        if not self.target_wait_minutes > 0:
            raise ValueError(f"services: target_wait_minutes of {self.id} must be positive")
        _check_text(self.name, f"services: {self.id}")

    def display_name(self, lang: str | None) -> str:
        return in_lang(self.name, lang) or self.id


class CounterConfig(Frozen):
    """`name` as BranchInfo's: per language or one string; `.name` is English, `display_name(lang)`."""

    id: str
    name_i18n: Text = msgspec.field(name="name")
    skills: dict[str, float]
    # When the counter is staffed (assistant/domain/schedule.py): [from, to] spans every day the branch
    # opens, or per weekday {mon: [...], ...}; none: the branch's opening hours. Breaks are cut out of them.
    shifts: tuple[tuple[str, str], ...] | dict[str, tuple[tuple[str, str], ...]] = ()
    breaks: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        _check_text(self.name_i18n, f"counters: {self.id}")

    @property
    def name(self) -> str:
        return in_lang(self.name_i18n, "en")

    def display_name(self, lang: str | None) -> str:
        return in_lang(self.name_i18n, lang)


class DeviceConfig(Frozen):
    """`name` and `location` (the hint shown to the customer) as BranchInfo's: per language or one string."""

    id: str
    kind: str
    name_i18n: Text = msgspec.field(name="name")
    location_i18n: Text = msgspec.field(name="location")

    def __post_init__(self) -> None:
        _check_text(self.name_i18n, f"devices: {self.id}")
        _check_text(self.location_i18n, f"devices: {self.id}")

    @property
    def name(self) -> str:
        return in_lang(self.name_i18n, "en")

    @property
    def location(self) -> str:
        return in_lang(self.location_i18n, "en")

    def display_name(self, lang: str | None) -> str:
        return in_lang(self.name_i18n, lang)

    def display_location(self, lang: str | None) -> str:
        return in_lang(self.location_i18n, lang)


class PriorityConfig(Frozen):
    """The ordering policy's settings (`assistant.domain.tickets.OrderingPolicy`; README, "Ordering policy: no class
    starved")."""

    classes: tuple[str, ...] = ("appointment", "priority", "normal")
    # (p, n): after p non-normal calls in a row, n normal calls are owed while normal tickets wait; (0, 0): none.
    normal_share: tuple[int, int] = (1, 3)
    # A ticket waiting this long is due: lifted one class, then nobody who came later is called before it
    # (except a checked-in appointment); 0 turns it off.
    age_boost_minutes: float = 15

    def __post_init__(self) -> None:
        if not self.classes or len(set(self.classes)) != len(self.classes):
            raise ValueError(f"priority.classes: distinct class names, most urgent first, got {list(self.classes)}")
        if self.classes[0] != "appointment" or "normal" not in self.classes:
            raise ValueError('priority.classes: starts with "appointment" and names "normal", e.g. '
                             "[appointment, priority, normal]")  # fmt: skip
        if any(turns < 0 for turns in self.normal_share):
            raise ValueError(f"priority.normal_share: [p, n] with p, n >= 0 (0, 0: no share), got "
                             f"{list(self.normal_share)}")  # fmt: skip
        if not 0 <= self.age_boost_minutes < float("inf"):
            raise ValueError(f"priority.age_boost_minutes: 0 (off) or a positive number of minutes, got "
                             f"{self.age_boost_minutes}")  # fmt: skip


class QueueConfig(Frozen):
    max_recalls: int = 2  # a third recall makes the ticket a no-show
    no_show_after_seconds: int = 60  # a counter may mark no-show only this long after the call
    outcomes: tuple[str, ...] = ("done", "referred", "follow_up", "could_not_help")
    # A customer who took a ticket remotely (mobile chat) is told to head to the branch at this place in line.
    notify_position: int = 3
    # A remote ticket keeps its place until the customer checks in at the kiosk (or says "I'm here" on the
    # tracking page); not arrived this long after joining, it expires as a no-show.
    remote_arrival_minutes: int = 45
    # After closing time the counters serve who is inside for this long; then tickets still waiting are
    # closed (outcome branch_closed) and the customers told (assistant/web/end_of_day.py).
    closing_overtime_minutes: int = 30
    # The wait model (assistant/web/waits.py) learns from this many past days, relearning this often.
    eta_history_days: int = 28
    eta_refresh_seconds: float = 60

    def __post_init__(self) -> None:
        if self.remote_arrival_minutes < 1 or self.notify_position < 1:
            raise ValueError("queue: remote_arrival_minutes and notify_position must be at least 1")
        if self.closing_overtime_minutes < 0 or self.eta_history_days < 1 or not self.eta_refresh_seconds > 0:
            raise ValueError("queue: closing_overtime_minutes >= 0, eta_history_days >= 1, eta_refresh_seconds > 0")


class AppointmentConfig(Frozen):
    slot_minutes: int = 30
    advisors: int = 1  # seats per slot unless `capacity` names the service
    horizon_days: int = 14  # bookable from today to today + horizon_days (branch-local dates)
    check_in_window_minutes: tuple[int, int] = (-15, 10)  # on time from start-15 to start+10
    # Services that take bookings; empty means every service marked `advisor: true`.
    services: tuple[str, ...] = ()
    capacity: dict[str, int] = {}  # seats per slot for services that differ from `advisors`
    blackout_dates: tuple[date, ...] = ()  # branch-local days without appointments

    def __post_init__(self) -> None:
        if self.slot_minutes <= 0 or self.advisors < 1 or self.horizon_days < 0:
            raise ValueError("appointments: slot_minutes and advisors must be positive, horizon_days >= 0")
        if any(seats < 1 for seats in self.capacity.values()):
            raise ValueError("appointments: every capacity must be at least 1")
        early, late = self.check_in_window_minutes
        if early > late:
            raise ValueError("appointments: check_in_window_minutes must be [early, late] with early <= late")


class KioskTheme(Frozen):
    # The greeter's one accent colour ("#rrggbb": buttons, pictograms, the attract screen); the text on it
    # is white or black, whichever reads better, and it is darkened where it must read on white (WCAG 4.5:1).
    accent: str = "#1f5fa8"
    # The bank's logo (SVG or PNG, relative to branch.yml), shown beside the branch's name; "" = the name only.
    logo: str = ""

    def __post_init__(self) -> None:
        digits = self.accent.removeprefix("#")
        hexadecimal = all(char in "0123456789abcdefABCDEF" for char in digits)
        if not self.accent.startswith("#") or len(digits) != 6 or not hexadecimal:
            raise ValueError(f"kiosk.theme.accent: {self.accent!r} is not a colour like #1f5fa8")


class KioskConfig(Frozen):
    languages: tuple[str, ...] = ("en",)
    idle_timeout_seconds: int = 60
    # Which screen layout: "auto" (from the screen's size), "landscape" or "portrait"; `resolution` ("WxH",
    # e.g. 1080x1920) forces the window's size and the nearest of the four designed layouts (1280x800,
    # 1920x1080, 1080x1920, 800x1280). Empty: the screen's own size. The window never exceeds the screen.
    orientation: str = "auto"
    resolution: str = ""
    # Elderly-friendly mode (适老化) when the kiosk starts and after every idle reset: larger type that
    # reflows, at most six choices a screen, stronger contrast, slower speech (`elderly_speech_tempo` of
    # the normal speed), every reply spoken, the idle timeout below. Customers toggle it on every screen.
    elderly_mode: bool = False
    elderly_idle_timeout_seconds: int = 180
    elderly_speech_tempo: float = 0.8
    theme: KioskTheme = KioskTheme()
    # After a spoken question from the customer, reopen the microphone once the reply's question has
    # been said (a spoken conversation stays hands-free). Tapping or typing ends it.
    hands_free: bool = True
    # The kiosk's device token (`lobby token create --role device`); better set through
    # LOBBY_KIOSK__TOKEN than written here. `lobby up` makes one for the kiosk it starts.
    token: str = ""

    def __post_init__(self) -> None:
        if self.orientation not in ("auto", "landscape", "portrait"):
            raise ValueError(f"kiosk.orientation: {self.orientation!r} is not auto, landscape or portrait")
        width, _x, height = self.resolution.lower().partition("x")
        if self.resolution and not (width.isdigit() and height.isdigit() and int(width) > 0 and int(height) > 0):
            raise ValueError(f"kiosk.resolution: {self.resolution!r} is not WIDTHxHEIGHT, e.g. 1080x1920")
        if not 0.5 <= self.elderly_speech_tempo <= 1.0:
            raise ValueError("kiosk.elderly_speech_tempo: between 0.5 and 1.0 (a share of the normal speed)")


class HubConfig(Frozen):
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = "http://127.0.0.1:8000"
    database: str = ""  # empty: sqlite file var/lobby.db next to the config
    # How events reach other hub processes: "" (this process only),
    # "postgres" (LISTEN/NOTIFY on the hub's PostgreSQL database) or "redis://HOST:PORT/DB".
    events: str = ""
    # Public writes (tickets, chat, triage, appointments) without a token, per client address (an IPv6
    # client per /64). A customer token (X-Customer-Token) only splits its address's budget, so minting
    # tokens buys nothing. The branch's own processes (kiosk, action server) carry a device token and are
    # not limited; loopback is not trusted by itself (anything on the PC could call from there).
    rate_limit_per_minute: int = 60
    rate_limit_burst: int = 20
    rate_limit_trusted: tuple[str, ...] = ()
    # Bearer tokens expire this many days after they were made (0: never); `lobby token rotate` renews one.
    staff_token_days: int = 30
    device_token_days: int = 365
    # Wrong tokens (and unknown booking codes) per client address: after this many within the window,
    # 429 with Retry-After, answered from memory (no database read), until the window has passed.
    auth_failure_limit: int = 10
    auth_failure_window_seconds: int = 300


class DialogueConfig(Frozen):
    rasa_url: str = "http://127.0.0.1:5005"
    # Several Rasa replicas behind the hub's chat gateway (each conversation sticks to one, and moves
    # to the next when it is down); empty: the one at rasa_url. They share the stores below.
    rasa_urls: tuple[str, ...] = ()
    actions_port: int = 5055
    # The action server listens here only: it runs any action for whoever calls it, so not on the network.
    actions_host: str = "127.0.0.1"
    # The device token the actions send to the hub (LOBBY_DIALOGUE__HUB_TOKEN); empty: `lobby dialogue`
    # and `lobby up` make one in the hub's database at start (a hub elsewhere needs one set here).
    hub_token: str = ""
    timeout_seconds: float = 10
    # Where Rasa keeps conversations: "" = on the hub's database engine (SQLite: a file next to the
    # hub's, <name>-rasa.db; PostgreSQL: schema "rasa" in the hub's database), so a restart of Rasa
    # loses no half-finished conversation; "memory" = in Rasa's memory (lost on restart, one replica
    # only); or a database URL of its own (sqlite:///PATH, postgresql://USER:PASSWORD@HOST:PORT/DB).
    tracker_store: str = ""
    # The per-conversation lock shared by the replicas: "" = in each Rasa's memory (fine for one);
    # "redis://[:PASSWORD@]HOST:PORT/DB" for several, so two turns of one conversation never interleave.
    lock_store: str = ""

    def __post_init__(self) -> None:
        urls = self.replica_urls()
        if len(set(urls)) != len(urls) or not all(url.startswith(("http://", "https://")) for url in urls):
            raise ValueError("dialogue: rasa_urls must be distinct http(s):// URLs")
        if self.tracker_store not in ("", "memory") and not self.tracker_store.startswith(("sqlite", "postgres")):
            raise ValueError('dialogue: tracker_store is "", "memory", sqlite:///PATH or postgresql://...')
        if self.lock_store and not self.lock_store.startswith(("redis://", "rediss://")):
            raise ValueError('dialogue: lock_store is "" or redis://HOST:PORT/DB')

    def replica_urls(self) -> tuple[str, ...]:
        """The Rasa servers the hub talks to (and `lobby up`/`lobby dialogue` start), in order."""
        return self.rasa_urls or (self.rasa_url,)


class RetentionConfig(Frozen):
    """How long a customer's personal data is kept (assistant/retention.py): booking name, phone and
    notes, rating comments. Past it they are blanked; the anonymous facts (service, times, scores)
    stay for the statistics."""

    personal_data_days: int = 90
    # Each hub process runs the purge this often (it is idempotent); `lobby purge` runs it by hand.
    check_minutes: float = 60

    def __post_init__(self) -> None:
        if self.personal_data_days < 1 or not self.check_minutes > 0:
            raise ValueError("retention: personal_data_days must be at least 1 and check_minutes positive")


class HardwareConfig(Frozen):
    printer: str = "none:"
    # A Vosk model directory per language ({en: ..., zh: ...}); `lobby models install --lang` writes it.
    # A language without one has voice input off. The older single `vosk_model` is the English model
    # (what it always held): used for "en" when vosk_models has no "en" entry.
    vosk_models: dict[str, str] = {}
    vosk_model: str = ""
    # Where `lobby models install` unpacks models: <vosk_models_dir>/<lang>/<model name>.
    vosk_models_dir: str = "var/models/vosk"
    # Grammar mode: "" decodes freely; "nlu" restricts the recognizer to the phrases of the
    # dialogue's training data in the kiosk's language (nlu_data/nlu.yml for en, nlu_data/nlu_<lang>.yml
    # for the others); any other value is a file of phrases, one per line. `vosk_grammars` sets it per
    # language ({zh: nlu, en: phrases_en.txt}); `vosk_grammar` applies to languages it does not name.
    vosk_grammar: str = ""
    vosk_grammars: dict[str, str] = {}
    microphone: str = "default"
    # A serial barcode/QR scanner, e.g. "serial:///dev/ttyACM0?baud=9600"; keyboard-wedge
    # scanners need nothing here (the kiosk window reads their keystrokes).
    scanner: str = ""
    speaker: str = "default"
    voice_dir: str = "var/voice"

    def vosk_model_for(self, lang: str) -> str:
        """The Vosk model directory of `lang` as configured ("" when voice input is off in it)."""
        found = self.vosk_models.get(lang, "").strip()
        return found or (self.vosk_model.strip() if lang == "en" else "")

    def vosk_grammar_for(self, lang: str) -> str:
        """The grammar spec of `lang`: "" (free decoding), "nlu" or a phrase file."""
        return self.vosk_grammars.get(lang, self.vosk_grammar).strip()


class SupervisionConfig(Frozen):
    """How `lobby up` and `lobby dialogue` restart a part that died (assistant/supervisor.py): after
    restart_delay_seconds, doubled per recent restart up to restart_max_delay_seconds; after restart_burst
    restarts within restart_interval_seconds they give up on it, loudly (the hub keeps serving without Rasa)."""

    restart_delay_seconds: float = 1.0
    restart_max_delay_seconds: float = 30.0
    restart_burst: int = 5
    restart_interval_seconds: float = 300.0

    def __post_init__(self) -> None:
        if not 0 < self.restart_delay_seconds <= self.restart_max_delay_seconds or self.restart_burst < 1:
            raise ValueError("supervision: 0 < restart_delay_seconds <= restart_max_delay_seconds; restart_burst >= 1")
        if not self.restart_interval_seconds > 0:
            raise ValueError("supervision: restart_interval_seconds must be positive")


class Settings(Frozen):
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
