from __future__ import annotations

import itertools
from collections.abc import AsyncIterator

import pytest
import sanic_testing.testing
from sanic import Sanic

from assistant.domain.clock import SystemClock
from assistant.settings import Settings
from assistant.web.app import create_app
from hardware.speaker import WavSpeaker
from tests.api import live_client
from tests.conftest import make_token

Sanic.test_mode = True
_names = itertools.count()


@pytest.fixture(autouse=True)
async def live_asgi_clients(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[None]:
    """`app.asgi_client` is a `LiveClient`: its app served once per test, not once per request, and
    stopped at the end of the test (tests/api/live_client.py). Sanic's `asgi_client` property builds
    sanic-testing's public `SanicASGITestClient(app)` when first read: that name is what is replaced."""
    monkeypatch.setattr(sanic_testing.testing, "SanicASGITestClient", live_client.LiveClient)
    yield
    while live_client.CREATED:
        await live_client.CREATED.pop().stop()


@pytest.fixture
def app(settings: Settings) -> Sanic:
    return create_app(settings, clock=SystemClock(), name=f"lobby_api_{next(_names)}", speech=WavSpeaker)


@pytest.fixture
def client(app: Sanic):  # type: ignore[no-untyped-def]
    return app.asgi_client


@pytest.fixture
def staff(settings: Settings) -> dict[str, str]:
    """Authorization headers of a teller, stored in the test's database before the app starts."""
    return {"Authorization": f"Bearer {make_token(settings.database_url())}"}


@pytest.fixture
def manager(settings: Settings) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(settings.database_url(), 'manager')}"}
