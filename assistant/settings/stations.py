"""branch.yml: the kiosk, the hub, the dialogue, retention, hardware and supervision."""

from __future__ import annotations

from assistant.settings.base import Frozen


class KioskTheme(Frozen, frozen=True):
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


class KioskConfig(Frozen, frozen=True):
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


class HubConfig(Frozen, frozen=True):
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


class DialogueConfig(Frozen, frozen=True):
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


class RetentionConfig(Frozen, frozen=True):
    """How long a customer's personal data is kept (assistant/retention.py): booking name, phone and
    notes, rating comments. Past it they are blanked; the anonymous facts (service, times, scores)
    stay for the statistics."""

    personal_data_days: int = 90
    # Each hub process runs the purge this often (it is idempotent); `lobby purge` runs it by hand.
    check_minutes: float = 60

    def __post_init__(self) -> None:
        if self.personal_data_days < 1 or not self.check_minutes > 0:
            raise ValueError("retention: personal_data_days must be at least 1 and check_minutes positive")


class HardwareConfig(Frozen, frozen=True):
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
    # Where the self-service devices' states come from (the vendor's monitoring feed or a file an agent
    # writes): "https://atm-monitor.example/status.json", "file:///var/lib/lobby/devices.yml". `lobby up`
    # then runs `lobby devices`, which tells the hub each change. Empty: devices report by PUT themselves.
    device_status: str = ""
    device_status_seconds: float = 10.0  # how often the status document is read
    device_status_token: str = ""  # a device token for `lobby devices` (`lobby up` makes a fresh one)

    def vosk_model_for(self, lang: str) -> str:
        """The Vosk model directory of `lang` as configured ("" when voice input is off in it)."""
        found = self.vosk_models.get(lang, "").strip()
        return found or (self.vosk_model.strip() if lang == "en" else "")

    def vosk_grammar_for(self, lang: str) -> str:
        """The grammar spec of `lang`: "" (free decoding), "nlu" or a phrase file."""
        return self.vosk_grammars.get(lang, self.vosk_grammar).strip()


class SupervisionConfig(Frozen, frozen=True):
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
