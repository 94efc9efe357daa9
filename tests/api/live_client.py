"""A test client that serves the app on 127.0.0.1 once per test, through Sanic's public server API.

sanic-testing's `app.asgi_client` starts the whole app (engine, migrations, event bus) before every
request and stops it after (~0.3 s a request here). `LiveClient`, which the `live_asgi_clients`
fixture in conftest puts in its place, starts a real server in the test's own event loop on the
first request — `app.create_server` on a socket bound to a free port, then `startup()` and
`before_start()` of the `AsyncioServer` it returns (Sanic's documented low-level API) — and stops
it when the test ends. It runs the `before_server_start` listeners only: the background loops (wait
alerts, remote-ticket expiry, retention, end of day) start `after_server_start` and would race a
test's fake clock; tests of those loops start them themselves (test_remote_arrival.py).

Requests go over real HTTP (httpx), so the app sees what a client on the branch PC sends (address
127.0.0.1, real headers and bodies). Answers are sanic-testing's public `TestingResponse` (`.status`,
`.json` as a property), returned as `(None, response)` like the stock client's `(request, response)`.
"""

from __future__ import annotations

import socket
from typing import Any

import httpx
from sanic import Sanic
from sanic.server.async_server import AsyncioServer
from sanic_testing.testing import TestingResponse

CREATED: list[LiveClient] = []
TIMEOUT_SECONDS = 60.0  # a loaded CI machine answers slowly; a hung handler still fails the test


class LiveClient:
    """`get/post/put/patch/delete(url, **httpx_kwargs)` -> `(None, TestingResponse)` against `app`."""

    def __init__(self, app: Sanic) -> None:
        self.app = app
        self._server: AsyncioServer | None = None
        self._http: httpx.AsyncClient | None = None
        CREATED.append(self)

    async def _start(self) -> httpx.AsyncClient:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
        server = await self.app.create_server(sock=listener, return_asyncio_server=True, access_log=False)
        assert server is not None
        self._server = server
        await server.startup()
        await server.before_start()
        self._http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=TIMEOUT_SECONDS)
        return self._http

    async def request(self, method: str, url: str, **kwargs: Any) -> tuple[None, TestingResponse]:
        kwargs.pop("gather_request", None)  # the stock client's option; there is no request object here
        http = self._http or await self._start()
        answer = await http.request(method.upper(), url, **kwargs)
        response = TestingResponse(
            status_code=answer.status_code, headers=answer.headers, content=answer.content, request=answer.request
        )
        return None, response

    async def get(self, url: str, **kwargs: Any) -> tuple[None, TestingResponse]:
        return await self.request("GET", url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> tuple[None, TestingResponse]:
        return await self.request("POST", url, **kwargs)

    async def put(self, url: str, **kwargs: Any) -> tuple[None, TestingResponse]:
        return await self.request("PUT", url, **kwargs)

    async def patch(self, url: str, **kwargs: Any) -> tuple[None, TestingResponse]:
        return await self.request("PATCH", url, **kwargs)

    async def delete(self, url: str, **kwargs: Any) -> tuple[None, TestingResponse]:
        return await self.request("DELETE", url, **kwargs)

    async def head(self, url: str, **kwargs: Any) -> tuple[None, TestingResponse]:
        return await self.request("HEAD", url, **kwargs)

    async def options(self, url: str, **kwargs: Any) -> tuple[None, TestingResponse]:
        return await self.request("OPTIONS", url, **kwargs)

    async def stop(self) -> None:
        """Close the client's connections, then the server: `before_server_stop`, close, `after_server_stop`."""
        http, server = self._http, self._server
        self._http = self._server = None
        if self in CREATED:
            CREATED.remove(self)
        if http is not None:
            await http.aclose()
        if server is not None:
            await server.before_stop()
            closing = server.close()
            if closing is not None:
                await closing
            await server.after_stop()
