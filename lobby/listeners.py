"""Who listens on a TCP port: read from /proc on Linux, so a stale process can be named, not mistaken for ours.

An orphan from an earlier run (a hub left behind by a killed `lobby up`) answers our health check as if it
were the child we just started. Before starting a child the supervisor asks who holds its port, and after a
health check answers it asks again whether the listener is in the child's process group. The socket inode
comes from /proc/net/tcp{,6} (state 0A = LISTEN); its owner from the /proc/<pid>/fd links to
`socket:[inode]`. Without /proc (not Linux) only a connect probe remains: something answers, nobody named.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

PROC = Path("/proc")
LISTEN = "0A"
MAX_COMMAND = 300  # characters of a command line shown in a message


@dataclass(frozen=True, slots=True)
class Listener:
    """One process listening on `port`; pid None when /proc does not show the owner (another user's)."""

    port: int
    pid: int | None
    command: str = ""

    def describe(self) -> str:
        if self.pid is None:
            return f"a process this user cannot see (port {self.port}; try `ss -ltnp 'sport = :{self.port}'` as root)"
        return f"pid {self.pid} ({self.command or 'command line unreadable'})"

    def process_group(self) -> int | None:
        if self.pid is None:
            return None
        try:
            return os.getpgid(self.pid)
        except ProcessLookupError:
            return None


def listeners(port: int, proc: Path = PROC) -> list[Listener]:
    """Every process listening on TCP `port` (any address, IPv4 or IPv6); empty when the port is free."""
    tables = [proc / "net" / "tcp", proc / "net" / "tcp6"]
    if not any(table.exists() for table in tables):
        return [Listener(port, None)] if _answers(port) else []
    inodes: set[int] = set()
    for table in tables:
        inodes |= _listening_inodes(table, port)
    if not inodes:
        return []
    owners = _socket_owners(inodes, proc)
    found = [Listener(port, pid, _command_line(proc, pid)) for pid in sorted({p for ps in owners.values() for p in ps})]
    if any(inode not in owners for inode in inodes) and not found:
        found.append(Listener(port, None))
    return found


def _listening_inodes(table: Path, port: int) -> set[int]:
    try:
        lines = table.read_text().splitlines()[1:]
    except OSError:
        return set()
    inodes = set()
    for line in lines:
        fields = line.split()
        if len(fields) < 10 or fields[3] != LISTEN:
            continue
        local_port = int(fields[1].rsplit(":", 1)[1], 16)
        if local_port == port and fields[9] != "0":
            inodes.add(int(fields[9]))
    return inodes


def _socket_owners(inodes: set[int], proc: Path) -> dict[int, set[int]]:
    """inode -> pids holding it open (processes that vanish or hide their fds while we look are skipped)."""
    wanted = {f"socket:[{inode}]": inode for inode in inodes}
    owners: dict[int, set[int]] = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            descriptors = list((entry / "fd").iterdir())
        except OSError:
            continue
        for descriptor in descriptors:
            try:
                target = os.readlink(descriptor)
            except OSError:
                continue
            if target in wanted:
                owners.setdefault(wanted[target], set()).add(int(entry.name))
    return owners


def _command_line(proc: Path, pid: int) -> str:
    try:
        raw = (proc / str(pid) / "cmdline").read_bytes()
    except OSError:
        return ""
    text = " ".join(part.decode(errors="replace") for part in raw.split(b"\0") if part)
    return text if len(text) <= MAX_COMMAND else text[: MAX_COMMAND - 1] + "…"


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False
