"""sanic-testing's ASGI client, started once per app instead of once per request.

The stock client starts the whole app (engine, migrations, event bus) before every request and stops
it after (~0.3 s a request here). This one starts it on the first request and stops it when the test
ends (the `live_asgi_clients` fixture in conftest). It runs the `before_server_start` listeners only:
the background loops (wait alerts, remote-ticket expiry) start `after_server_start` and would race a
test's fake clock; tests of those loops run a real server.
"""

from __future__ import annotations

from typing import Any

from sanic_testing.testing import ASGI_HOST, ASGI_PORT, SanicASGITestClient, TestingResponse

CREATED: list[LiveASGIClient] = []


class LiveASGIClient(SanicASGITestClient):
    def __init__(self, app: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(app, *args, **kwargs)
        self.started = False
        CREATED.append(self)

    async def request(  # type: ignore[override]
        self, method: str, url: str, gather_request: bool = True, *args: Any, **kwargs: Any
    ) -> tuple[Any, Any]:
        if not self.started:
            self.sanic_app.router.reset()
            self.sanic_app.signal_router.reset()
            await self.sanic_app._startup()
            await self.sanic_app._server_event("init", "before")
            self.started = True
            for route in self.sanic_app.router.routes:
                if self._collect_request not in route.extra.request_middleware:
                    route.extra.request_middleware.appendleft(self._collect_request)
        if not url.startswith(("http:", "https:", "ws:", "wss:", "//")):
            url = url if url.startswith("/") else f"/{url}"
            url = f"{'ws' if method == 'websocket' else 'http'}://{ASGI_HOST}:{ASGI_PORT}{url}"
        self.gather_request = gather_request
        response = await super(SanicASGITestClient, self).request(method, url, *args, **kwargs)
        response.__class__ = TestingResponse
        return (self.last_request if gather_request else None), response

    async def stop(self) -> None:
        if self.started:
            self.started = False
            await self.sanic_app._server_event("shutdown", "before")
            await self.sanic_app._server_event("shutdown", "after")
