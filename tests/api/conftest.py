from __future__ import annotations

import itertools

import pytest
from sanic import Sanic

from assistant.domain.clock import SystemClock
from assistant.settings import Settings
from assistant.web.app import create_app

Sanic.test_mode = True
_names = itertools.count()


@pytest.fixture
def app(settings: Settings) -> Sanic:
    return create_app(settings, clock=SystemClock(), name=f"lobby_api_{next(_names)}")


@pytest.fixture
def client(app: Sanic):  # type: ignore[no-untyped-def]
    return app.asgi_client
