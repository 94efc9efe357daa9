"""Start the branch's processes, keep them running as a service manager would, stop them all cleanly.

* A stop signal — SIGTERM (systemd, docker, `kill`), SIGINT (Ctrl-C), SIGHUP (the terminal closed) — is raised
  as `Shutdown` wherever the supervisor waits (a health check, a model training, a sleep), so the `finally`
  of `Supervisor.run` stops every child's whole process group and the command exits 0.
* A child that dies is restarted after a delay that doubles with each recent restart, up to a cap; after
  `burst` restarts within `interval` seconds the supervisor gives up on it, loudly (systemd's RestartSec,
  StartLimitBurst and StartLimitIntervalSec). The others keep serving: the hub is never stopped because Rasa
  or the action server died — a branch keeps issuing tickets, and its chat falls back to a touch menu.
  Only an *essential* child given up on ends the supervisor (exit 1, for systemd to restart the unit).
* Before a child starts, its port must be free; a process already listening there (an orphan of an earlier
  run) is named — pid and command line — instead of its health check being taken for our child's. When the
  health check answers, the listener must be in our child's process group (lobby.listeners).
"""

from __future__ import annotations

from lobby.supervisor.process import (  # noqa: F401
    LOCAL_HOSTS,
    STOP_SIGNALS,
    Managed,
    Shutdown,
    StartupError,
    log,
    wait_for_urls,
)
from lobby.supervisor.supervision import (  # noqa: F401
    RestartPolicy,
    State,
    Supervisor,
)
