"""The pieces under the supervisor: who listens on a port (from /proc), and the restart delays."""

from __future__ import annotations

import os
import socket
import sys

from lobby.listeners import listeners
from lobby.supervisor import RestartPolicy
from tests.support import free_port


def test_a_free_port_has_no_listener() -> None:
    assert listeners(free_port()) == []


def test_the_process_listening_on_a_port_is_named_with_its_command_line() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        found = listeners(port)
    assert [listener.pid for listener in found] == [os.getpid()]
    assert found[0].command.startswith(sys.executable) or "pytest" in found[0].command, found[0].command
    assert found[0].describe() == f"pid {os.getpid()} ({found[0].command})"


def test_an_ipv6_listener_is_found_too() -> None:
    with socket.socket(socket.AF_INET6) as server:
        server.bind(("::1", 0))
        server.listen()
        found = listeners(server.getsockname()[1])
    assert [listener.pid for listener in found] == [os.getpid()]


def test_a_connected_client_socket_is_not_a_listener() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        client = socket.create_connection(("127.0.0.1", port), timeout=2)
        accepted, _ = server.accept()
    try:
        assert listeners(port) == []  # the listening socket is closed; the connection's ends are not listeners
    finally:
        client.close()
        accepted.close()


def test_restart_delays_double_up_to_the_cap() -> None:
    policy = RestartPolicy(delay=1, max_delay=30, burst=5, interval=300)
    assert [policy.next_delay(recent) for recent in range(7)] == [1, 2, 4, 8, 16, 30, 30]
