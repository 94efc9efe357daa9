"""The manager's KPIs: pure arithmetic over the visits, routes and ratings of a date range.

Every number on /dashboard is defined here, once. Times are timezone-aware; minutes are
floats (they are durations, not money). A KPI with nothing to measure is ``None``, never 0.

Inputs
    A *visit* is one ticket (`Visit`). The range is a set of branch-local days: a ticket belongs
    to the day it was issued on (its `business_date`), a route or a rating to the day it was made.

Definitions
    issued            tickets issued in the range.
    wait              ``called_at - issued_at``, for *called* tickets: those with a `called_at`
                      (called, serving, served, parked, no-show, or abandoned after a call).
                      A ticket taken in the bank's app waits from its customer's check-in at the
                      branch (`arrived_at`), not from joining: the wait in the branch.
                      `called_at` is the latest (re)call, as the queue stores it: a recall moves
                      it, and a transfer back to the queue clears it (the ticket is measured again
                      when the new service calls it).
    avg wait          arithmetic mean of the waits.
    p90 wait          nearest-rank 90th percentile: the waits sorted, the value at position
                      ``ceil(0.9 * n)`` (1-based).
    service time      ``finished_at - started_at`` of *served* tickets whose start was pressed.
                      Finishing without pressing start (or call-next finishing the customer at
                      the counter) stores ``started_at = finished_at``: no measured time, so such
                      tickets are left out rather than counted as 0.
    walk-to-counter   ``started_at - called_at`` of tickets whose start was pressed (serving,
                      or served with ``started_at < finished_at``).
    abandonment rate  abandoned tickets / issued tickets (customers who left; `DELETE` ticket). Tickets
                      still in line when the branch closed (outcome `branch_closed`) did not leave:
                      they are counted apart (`closed_unserved`), in neither rate.
    no-show rate      no-show tickets / issued tickets (remote tickets that expired included).
    remote joins      tickets taken in the bank's app; remote expired: those whose customer
                      did not check in in time (outcome `not_arrived`).
    SLA share         called tickets with ``wait <= target_wait_minutes`` of their service /
                      called tickets.
    self-service      device routes / (device routes + tickets issued from triage). A device
      share           route is a triage answer that sent the customer to a machine; a ticket
                      "from triage" is one that carries an intent (the kiosk and the assistant
                      pass the triaged intent when they issue it; staff-issued, check-in and
                      plain tile tickets without an intent are not in either side).
    top intents       device routes + tickets with an intent, counted by intent, most first
                      (ties by name): what customers came for, each visit counted once.
    satisfaction      ratings (1-5) made in the range: count, mean score, CSAT = share of
                      scores >= 4, and how many of each score.
    per counter       for each counter: called = called tickets last called there; served;
                      no-shows; mean service time of its served tickets; mean rating of the
                      ratings given for tickets of that counter.
    per staff         by the name of the staff token. A served ticket is credited to whoever
                      pressed finish, else (finished by call-next) to whoever last called it;
                      called = tickets whose last recorded call was theirs. Only actions the hub
                      recorded count: tickets handled before recording began are left out.
    hourly series     branch-local hours from the first to the last hour with a ticket issued,
                      called or finished: tickets issued and called in the hour, the mean wait
                      of those called, and how many waited at the end of the hour (or now, for
                      the current hour). "Waiting at t": issued before t and not yet called,
                      abandoned or finished at t. When the activity spans more than 7 days the
                      buckets are branch-local days instead (`bucket` says which).
    live              waiting now = tickets whose status is waiting; longest wait of a service =
                      now - the oldest issue time among them; a service is *over target* when
                      its longest wait is more than its target (an alert).
"""

from __future__ import annotations

from assistant.domain.kpi.compute import (  # noqa: F401
    hourly,
    summarize,
    top_intents,
)
from assistant.domain.kpi.live import (  # noqa: F401
    LiveService,
    live_services,
)
from assistant.domain.kpi.records import (  # noqa: F401
    HOUR,
    HOURLY_SPAN,
    SATISFIED_SCORE,
    TOP_INTENTS,
    Labelled,
    RatingRecord,
    RouteRecord,
    Visit,
    left_queue_at,
    service_minutes,
    start_pressed,
    wait_minutes,
    walk_minutes,
    within_target,
)
from assistant.domain.kpi.results import (  # noqa: F401
    HourBucket,
    RangeKpis,
    Satisfaction,
    ServiceKpis,
    WaitStats,
    WorkerKpis,
)
from assistant.domain.kpi.stats import (  # noqa: F401
    mean,
    minutes_json,
    percentile,
    share,
    share_json,
)
