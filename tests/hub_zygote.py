"""Forks hub processes from one Python that has already imported the hub (tests only).

A `python -m lobby serve` spends most of its start importing: about 1.5 of its 2.4 s of CPU
on the CI machine, and the tests start a fresh hub for most tests, each on its own database. This
process imports the hub's modules once, then forks a child per request. The child is a fresh
`python -m lobby ARGS...` in all but the imports: its own session (process group), environment,
working directory, standard streams (its log) and database, so every test still gets a hub process
of its own. Nothing has run in this process but imports: no thread, no event loop, no connection.

Run as `python -m tests.hub_zygote MODULE...` from the repository root (as the hub's cwd puts the
repository first on sys.path); MODULE...: what to import up front (a failing import only costs time).
Protocol, one JSON object per line: stdin {"module", "args", "env", "cwd", "log"} -> stdout {"pid"}.
Children are reaped by the kernel (SIGCHLD ignored here, default again in each child), so a stopped
hub's pid disappears as soon as it has exited.
"""

from __future__ import annotations

import importlib
import json
import os
import runpy
import signal
import sys
import traceback
from typing import Any, NoReturn


def preload(modules: list[str]) -> None:
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception as exc:  # a module that moved: its hubs start slower, not wrong
            print(f"hub zygote: not preloaded {name}: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)


def run_child(request: dict[str, Any], replies: int) -> NoReturn:
    """In the forked child: become `python -m MODULE ARGS...` with the request's streams and environment."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the hub's own subprocesses must be waitable
        os.close(replies)
        os.setsid()
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
        os.close(null)
        sys.argv = [request["module"], *request["args"]]
        try:
            runpy.run_module(request["module"], run_name="__main__", alter_sys=True)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(code)  # never back into the zygote's loop; finalization skipped (nothing to keep)


def main() -> None:
    preload(sys.argv[1:])
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # no zombies: the kernel reaps every child
    replies = os.dup(1)  # the children's fd 1 becomes their log; answers go here
    requests = sys.stdin.buffer
    while line := requests.readline():
        request = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            run_child(request, replies)
        os.write(replies, json.dumps({"pid": pid}).encode() + b"\n")


if __name__ == "__main__":
    main()
