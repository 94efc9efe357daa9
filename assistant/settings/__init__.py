"""One configuration tree: branch.yml + LOBBY_* environment overrides.

Loaded once by the CLI (or a test), validated, frozen, and passed down. No
other module reads the environment.
"""

from __future__ import annotations

from assistant.settings.base import (  # noqa: F401
    ENV_PREFIX,
    ConfigError,
    Frozen,
    Text,
    in_lang,
)
from assistant.settings.branch import (  # noqa: F401
    AppointmentConfig,
    BranchInfo,
    CounterConfig,
    DeviceConfig,
    DeviceRule,
    PriorityConfig,
    QueueConfig,
    ServiceConfig,
)
from assistant.settings.stations import (  # noqa: F401
    DialogueConfig,
    HardwareConfig,
    HubConfig,
    KioskConfig,
    KioskTheme,
    RetentionConfig,
    SupervisionConfig,
)
from assistant.settings.tree import (  # noqa: F401
    Settings,
    T,
    convert,
    counter_schedule,
    load_settings,
    ordering_policy,
    read_yaml_mapping,
)
