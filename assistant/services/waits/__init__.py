"""The hub's wait estimates: the domain's `WaitModel`, learned from this branch's database.

* Learned (rebuilt every `queue.eta_refresh_seconds`, per hub process: a cache, every process learns
  the same from the same database): handling times per service x counter x hour, arrivals per
  weekday x hour, patience and the counters' pickup and turnaround delays, from the last
  `queue.eta_history_days` days; today's served tickets and arrivals on top (assistant/domain/eta_stats.py).
* The present (read at each estimate): today's waiting tickets, each counter's state (open, on a
  break until when, closed), the ticket at it since when, its shifts and breaks (branch.yml), the
  latest call classes, the appointments still to check in today.

One projection serves every waiting ticket; its result is kept while nothing changed (no event, the
same minute), so an event that refreshes every open tracking page costs one projection, not one per
page; under load projections run in the background within a CPU budget (`WaitTimes`).
"""

from __future__ import annotations

from assistant.services.waits.inputs import (  # noqa: F401
    Day,
    counter_windows,
    learn,
    log,
    opening,
)
from assistant.services.waits.times import (  # noqa: F401
    WaitTimes,
    ghost_id,
)
