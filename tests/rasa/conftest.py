"""Fixtures for the action tests. They run in the Rasa venv (Python 3.10):

    cd REPO && .venv-rasa/bin/python -m pytest tests/rasa -q

tests/rasa/pytest.ini puts the repository on sys.path (for `actions`). `hub` is
a real HTTP stub of the hub on 127.0.0.1 (hub_stub.py); trackers are built by
builders.py or loaded from recordings/.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from actions.hub_client import HubClient

from hub_stub import HubStub, running_hub_stub


@pytest.fixture
def hub() -> Iterator[HubStub]:
    with running_hub_stub() as stub:
        yield stub


@pytest.fixture
def hub_client(hub: HubStub) -> HubClient:
    return HubClient(hub.url, timeout_seconds=2.0)


@pytest.fixture
def dead_hub_url() -> str:
    """An address on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
