"""A bare Sanic endpoint, the yardstick of `lobby bench hub`: same server, same JSON size,
no validation, no database. `python -m lobby_tools.bench_bare --port N`."""

from __future__ import annotations

import argparse
import itertools

from sanic import Request, Sanic
from sanic.response import HTTPResponse, json


def create_bare_app() -> Sanic:
    app = Sanic("lobby_bare")
    numbers = itertools.count(1)

    @app.get("/healthz")
    async def health(request: Request) -> HTTPResponse:
        return json({"status": "ok"})

    @app.post("/api/v1/tickets")
    async def ticket(request: Request) -> HTTPResponse:
        number = next(numbers)
        return json(
            {
                "id": f"{number:032x}", "number": f"A{number:03d}", "service": request.json["service"],
                "service_name": "Cash", "status": "waiting", "position": number, "eta_minutes": [1, 4],
                "issued_at": "2026-11-30T09:00:00+00:00", "track_url": f"http://127.0.0.1/t/{number:032x}",
                "counter": None, "priority": "normal",
            },
            status=201,
        )  # fmt: skip

    return app


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    create_bare_app().run(host="127.0.0.1", port=args.port, single_process=True, access_log=False, motd=False)
