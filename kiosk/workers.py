"""Run blocking calls off the Qt thread; deliver their outcome on it.

`TaskRunner.submit(name, call, on_done, on_error)` runs `call()` on a private
QThreadPool. The worker emits the runner's signals from its own thread; they
reach the runner's slots through a queued connection, so `on_done` and
`on_error` always run on the thread that owns the runner (the GUI thread).
The runner keeps a reference to every task until its outcome is delivered.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot

logger = logging.getLogger(__name__)

DoneCallback = Callable[[Any], None]
ErrorCallback = Callable[[Exception], None]


@dataclass(slots=True)
class _Task:
    name: str
    runnable: QRunnable
    on_done: DoneCallback | None
    on_error: ErrorCallback | None


class _Job(QRunnable):
    def __init__(self, runner: TaskRunner, task_id: int, name: str, call: Callable[[], Any]) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the runner owns it until the outcome is delivered
        self._runner = runner
        self._task_id = task_id
        self._name = name
        self._call = call

    def run(self) -> None:
        try:
            result = self._call()
        except Exception as error:
            self._emit("failed", error)
        else:
            self._emit("finished", result)

    def _emit(self, signal_name: str, payload: object) -> None:
        try:
            getattr(self._runner, signal_name).emit(self._task_id, payload)
        except RuntimeError:  # the runner was deleted while this task ran (shutdown)
            logger.debug("task %s finished after its runner was gone", self._name)


class TaskRunner(QObject):
    """Owns a thread pool; hands outcomes back on the runner's own thread."""

    finished = Signal(int, object)
    failed = Signal(int, object)

    def __init__(self, max_threads: int = 4, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._tasks: dict[int, _Task] = {}
        self._ids = itertools.count(1)
        self._closed = False
        self.finished.connect(self._deliver_done, Qt.ConnectionType.QueuedConnection)
        self.failed.connect(self._deliver_error, Qt.ConnectionType.QueuedConnection)

    def submit(
        self,
        name: str,
        call: Callable[[], Any],
        on_done: DoneCallback | None = None,
        on_error: ErrorCallback | None = None,
    ) -> int:
        """Start `call` in the pool; returns a task id. Ignored after shutdown()."""
        if self._closed:
            logger.debug("task %s not started: runner is shut down", name)
            return 0
        task_id = next(self._ids)
        job = _Job(self, task_id, name, call)
        self._tasks[task_id] = _Task(name, job, on_done, on_error)
        logger.debug("task %s (#%d) started", name, task_id)
        self._pool.start(job)
        return task_id

    def pending(self, name: str | None = None) -> int:
        """How many tasks (optionally only those called `name`) are not delivered yet."""
        return sum(1 for task in self._tasks.values() if name is None or task.name == name)

    def shutdown(self, timeout_ms: int = 3000) -> bool:
        """Stop delivering outcomes, wait (bounded) for running tasks; True if all ended."""
        self._closed = True
        self._pool.clear()
        done = self._pool.waitForDone(timeout_ms)
        if not done:
            logger.warning("still running at shutdown: %s", sorted(t.name for t in self._tasks.values()))
        return done

    @Slot(int, object)
    def _deliver_done(self, task_id: int, result: object) -> None:
        task = self._tasks.pop(task_id, None)
        if task is None or self._closed:
            return
        logger.debug("task %s (#%d) done", task.name, task_id)
        if task.on_done is not None:
            self._safely(task.name, task.on_done, result)

    @Slot(int, object)
    def _deliver_error(self, task_id: int, error: object) -> None:
        task = self._tasks.pop(task_id, None)
        if task is None or self._closed:
            return
        if not isinstance(error, Exception):
            error = RuntimeError(repr(error))
        if task.on_error is not None:
            self._safely(task.name, task.on_error, error)
        else:
            logger.error("task %s failed: %s", task.name, error, exc_info=error)

    @staticmethod
    def _safely(name: str, callback: Callable[[Any], None], payload: object) -> None:
        # An exception escaping a slot would be printed by Qt and lost; log it instead.
        try:
            callback(payload)
        except Exception:
            logger.exception("callback of task %s failed", name)
