"""The wait model: when will each waiting ticket be called, as a range meant to hold 80% of waits.

The branch is projected forward from its present state, `Calibration.runs` times with random
draws, and each ticket's range is read off the call times of those runs: the 10th and 90th
percentile, the median as the point estimate. Every run follows the hub's own rules:

* every counter from its current state: serving since when (a draw of the rest of that service,
  given how long it has already taken: a long one is likely to go on), free now, or away until its
  schedule says it is back; it stops taking customers at its shift's end or break
  (`CounterNow.windows`), and break cover raises side skills as the hub does;
* the work queued ahead across every service that shares counters: each call is decided by the
  real ordering policy (`OrderingPolicy.choose`: appointments, priority share, age boost, skills);
* each service takes a draw of the learned handling time of that service at that counter at that
  hour (lognormal, the service's learned spread);
* customers ahead may leave: each is still there at its turn with the probability the learned
  patience gives, given how long it has waited;
* customers who have not come yet but will jump ahead: walk-ins drawn from the arrival rates (this
  weekday and hour, at today's level) and today's booked appointments, as virtual tickets;
* the learned times and today's level are estimates: each run scales them by a random factor
  (`Calibration.handling_sd`, `arrival_sd`), which widens the range by what we do not know.

Tickets wait in lines (service, class, transfer target); the policy is asked only about the first
ticket of each line, since within a line it always takes the oldest: the same answer as over the
whole queue, at a cost that grows with the number of lines, not of tickets.
"""

from __future__ import annotations

from assistant.domain.eta.model import (  # noqa: F401
    WaitModel,
)
from assistant.domain.eta.projection import (  # noqa: F401
    Line,
    draw_rest,
    naive_minutes,
)
from assistant.domain.eta.values import (  # noqa: F401
    GHOST,
    HORIZON,
    NORMAL,
    RECENT_CALLS,
    VIRTUAL,
    Calibration,
    CounterNow,
    Expected,
    QueueSnapshot,
    WaitEstimate,
    Wording,
)
