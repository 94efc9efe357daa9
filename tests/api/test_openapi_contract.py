"""The OpenAPI document (`/api/v1/openapi.json`, assistant/web/apidoc.py) is the API's contract.

* Fast, in process: every route is an operation of the document, and each declares what its handler
  reads (the body model `decode_body` checks, the query parameters it takes), its answers with their
  schemas, the error shape on every 4xx/5xx, and the token where one is needed. Every schema is valid
  JSON Schema 2020-12 and every `$ref` resolves.
* The main flows (a ticket from issue to finish, a booking from slot to cancel, chat, ...) answer by
  answer against the document: a random fuzzer seldom reaches a called ticket or a booking.
* schemathesis against a real hub on 127.0.0.1 (`lobby serve`, SQLite, the dialogue engine a stand-in
  on 127.0.0.1: tests/api/fake_rasa.py), with a manager token, positive and negative data, every phase
  (examples, coverage, fuzzing, stateful along the document's links), then without a token: no server
  error, every answer's status, content type and body as documented, data that breaks the document
  refused with a 4xx, an undocumented method refused with 405 and `Allow`. Seeded, so a run repeats;
  `FUZZ_EXAMPLES` bounds it (the module: ~50 s on this 2-core box when idle, ~2 min when it is busy).
  The WebSocket routes are left to their own tests (tests/api/test_events_ws.py, test_chat_socket.py):
  a fuzzer speaks HTTP; here a plain GET on each is checked to answer 426 with the error shape.
"""

from __future__ import annotations

import inspect
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import jsonschema_rs
import pytest
from sanic import Sanic

from assistant.settings import load_settings
from assistant.web.metrics import PUBLIC_WRITES
from lobby.supervisor import Managed
from tests.api.fake_rasa import fake_rasa
from tests.conftest import ALWAYS_OPEN, make_token
from tests.support import ROOT, free_port

FUZZ_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "unsupported_method",  # an undocumented method: 405 with Allow
)
FUZZ_EXAMPLES = 20  # per operation and phase, with the staff token
ANONYMOUS_EXAMPLES = 5  # per operation, fuzzing only, without a token
FUZZ_SEED = 20260513
FUZZ_TIMEOUT = 240  # seconds: a hung run fails instead of holding the suite
WEBSOCKETS = r"^/api/v1/(events(/staff)?|chat/ws|tickets/\{ticket_id\}/events)$"
NOT_OPERATIONS = ("/api/v1/openapi.json", "/api/v1/docs")  # the document itself and its reader
METHODS = ("get", "put", "post", "delete", "patch")


# -- the document, in process -------------------------------------------------------------------


def _doc_path(route_path: str) -> str:
    path = re.sub(r"<(\w+):ext=(\w+)>", r"{\1}.\2", f"/{route_path}")
    return re.sub(r"<(\w+)[^>]*>", r"{\1}", path)


def _handler_source(handler: Any) -> str:
    if isinstance(handler, partial) and handler.args:  # a WebSocket route
        handler = handler.args[0]
    return inspect.getsource(inspect.unwrap(handler))


def _routes(app: Sanic) -> Iterator[tuple[str, str, str]]:
    """(document path, method, handler source) of every route the hub serves."""
    for route in app.router.routes:
        path = _doc_path(route.path)
        if path.startswith(NOT_OPERATIONS):
            continue
        for method in route.methods:
            if method.lower() in METHODS:
                yield path, method.lower(), _handler_source(route.handler)


def _resolve(spec: dict[str, Any], ref: str) -> dict[str, Any]:
    node: Any = spec
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("$ref", "operationRef") and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _json_ref(response: dict[str, Any]) -> str | None:
    return response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")


async def test_every_operation_documents_its_parameters_body_and_answers(app: Sanic, client) -> None:  # type: ignore[no-untyped-def]
    _, response = await client.get("/api/v1/openapi.json")
    assert response.status == 200
    spec = response.json
    assert spec["openapi"].startswith("3.1")
    schemas = spec["components"]["schemas"]
    for name, schema in schemas.items():
        assert jsonschema_rs.meta.is_valid(schema), f"component {name} is not valid JSON Schema"
    for ref in set(_refs(spec)):
        assert _resolve(spec, ref) is not None, ref
    error = {"$ref": "#/components/schemas/Error"}
    assert schemas["Error"]["required"] == ["error"]

    served = list(_routes(app))
    assert len(served) >= 58, f"only {len(served)} operations served?"
    for path, method, source in served:
        where = f"{method.upper()} {path}"
        assert method in spec["paths"].get(path, {}), f"{where} is not in the document"
        operation = spec["paths"][path][method]
        assert operation.get("summary"), where
        replies = operation["responses"]
        assert "default" not in replies, f"{where}: no answer documented"
        assert any(status[0] in "123" for status in replies), f"{where}: no successful answer"
        for status, reply in replies.items():
            if status[0] in "45" and where != "GET /healthz":
                assert reply["content"]["application/json"]["schema"] == error, f"{where} {status}: not the error shape"
        declared = {(param["in"], param["name"]) for param in operation.get("parameters", ())}
        for name in re.findall(r"\{(\w+)\}", path):
            assert ("path", name) in declared, f"{where}: path parameter {name} undeclared"
        for name in re.findall(r"request\.args\.get\(\"(\w+)\"", source):
            assert ("query", name) in declared, f"{where}: reads ?{name} but does not declare it"
        for param in operation.get("parameters", ()):
            assert param.get("schema"), f"{where}: parameter {param['name']} without a schema"
        body = re.search(r"decode_body\(request, (\w+)\)", source)
        if body:
            assert operation["requestBody"]["content"]["application/json"]["schema"] == {
                "$ref": f"#/components/schemas/{body[1]}"
            }, f"{where}: the body is not documented by {body[1]}, the model the handler checks"
            for status in ("413", "415", "422"):
                assert status in replies, f"{where}: a body but no {status}"
        gates = operation.get("security", [])
        if gates and {} not in gates:
            for status in ("401", "403"):
                assert status in replies, f"{where}: needs a token but documents no {status}"
        if "requires(Role." in source or "role_of_request" in source:
            assert gates, f"{where}: checks a token but declares no security"
        limited = method in ("post", "put", "delete") and path.startswith(PUBLIC_WRITES)
        if "@guards_secret" in source or limited:  # throttled or rate limited; a token exempts, a wrong one is a 401
            assert {} in gates and {"token": []} in gates, f"{where}: the token is optional here"
            assert "429" in replies and "401" in replies, f"{where}: 429 and 401 undocumented"
    documented = {(path, method) for path, item in spec["paths"].items() for method in item}
    assert documented == {(path, method) for path, method, _ in served}, "the document lists routes nobody serves"


async def test_a_wrong_method_on_a_path_with_parameters_says_which_are_allowed(client) -> None:  # type: ignore[no-untyped-def]
    """Found by schemathesis (`unsupported_method`): Sanic names the allowed methods of a 405 for a fixed path
    only; /api/v1/tickets/{id} and the like answered without `Allow` (RFC 9110 requires it)."""
    for method, path, allowed in (
        ("patch", "/api/v1/tickets/0123abcd", {"GET", "DELETE"}),
        ("delete", "/api/v1/counters/c1/open", {"POST"}),
        ("put", "/t/0123abcd", {"GET"}),
    ):
        _, response = await getattr(client, method)(path)
        assert response.status == 405 and response.json["error"]["code"] == "method_not_allowed"
        named = {name.strip() for name in response.headers.get("allow", "").split(",")}
        assert allowed <= named and method.upper() not in named, (path, response.headers.get("allow"))


async def test_head_and_options_are_not_served_and_say_what_is(client) -> None:  # type: ignore[no-untyped-def]
    """No HEAD/OPTIONS twin routes (web/app.py: building them cost ~1 s of every start): a clean 405 with
    `Allow`, the error shape where a body may be sent."""
    _, head = await client.head("/api/v1/queue")
    assert head.status == 405 and head.headers.get("allow", "").replace(" ", "") == "GET"
    _, options = await client.options("/api/v1/tickets/0123abcd")
    assert options.status == 405 and options.json["error"]["code"] == "method_not_allowed"
    assert {name.strip() for name in options.headers.get("allow", "").split(",")} == {"GET", "DELETE"}


async def test_a_number_in_the_query_is_plain_digits(client, manager: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """The document says integer; Python's int() and str.isdigit() also took " 7", "+7", "1_0", Arabic-Indic
    and fullwidth digits (a schema-breaking request answered 200, which schemathesis's negative data can send)."""
    for odd in (" 7", "+7", "1_0", "\u0667", "\uff17"):
        _, calls = await client.get("/api/v1/calls", params={"last": odd})
        assert calls.status == 422, odd
        _, audit = await client.get("/api/v1/audit", params={"limit": odd}, headers=manager)
        assert audit.status == 422, odd
    _, calls = await client.get("/api/v1/calls", params={"last": "7"})
    _, audit = await client.get("/api/v1/audit", params={"limit": "7"}, headers=manager)
    assert calls.status == 200 and audit.status == 200


# -- schemathesis against a real hub ------------------------------------------------------------


@dataclass(frozen=True)
class Hub:
    url: str
    token: str
    log: Path


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    """`lobby serve` on a free port with its own SQLite file, the dialogue engine a stand-in; a manager token."""
    directory = tmp_path_factory.mktemp("openapi-hub")
    database = f"sqlite:///{directory / 'hub.db'}"
    port = free_port()
    command = [sys.executable, "-m", "lobby", "serve", "--config", str(ROOT / "branch.yml")]
    command += ["--database", database, "--port", str(port)]
    with fake_rasa() as rasa:
        process = Managed(
            "hub",
            command,
            f"http://127.0.0.1:{port}/healthz",
            ROOT,
            env={"LOBBY_DIALOGUE__RASA_URL": rasa.url, **ALWAYS_OPEN},
            log_path=directory / "hub.log",
        )
        process.start()
        try:
            process.wait_healthy(60)
            yield Hub(f"http://127.0.0.1:{port}", make_token(database, "manager"), directory / "hub.log")
        finally:
            process.stop()


class Contract:
    """Real answers checked against the document the hub serves: status, media type and body schema."""

    def __init__(self, hub: Hub) -> None:
        self.http = httpx.Client(base_url=hub.url, timeout=30, headers={"Authorization": f"Bearer {hub.token}"})
        self.spec = self.http.get("/api/v1/openapi.json").json()
        self.seen: set[tuple[str, str, str]] = set()

    def call(self, method: str, template: str, expect: int, *, json_body: Any = None, **values: str) -> Any:
        path = template.format(**values)
        params = {key: value for key, value in values.items() if f"{{{key}}}" not in template}
        response = self.http.request(method, path, json=json_body, params=params)
        where = f"{method} {path} -> {response.status_code}"
        assert response.status_code == expect, f"{where}: {response.text[:300]}"
        replies = self.spec["paths"][template][method.lower()]["responses"]
        assert str(expect) in replies, f"{where}: status not documented"
        self.seen.add((method, template, str(expect)))
        reply = replies[str(expect)]
        media = response.headers.get("content-type", "").split(";")[0]
        assert media in reply.get("content", {}), f"{where}: {media} not documented"
        if media != "application/json":
            return response.content
        schema = {**reply["content"][media]["schema"], "components": self.spec["components"]}
        body = response.json()
        validator = jsonschema_rs.Draft202012Validator(schema, validate_formats=True)
        problems = [f"{error.instance_path}: {error.message}" for error in validator.iter_errors(body)]
        assert not problems, f"{where}: off the document: {problems[:5]}"
        return body


def test_the_main_flows_answer_as_documented(hub: Hub) -> None:
    """Every main shape seen once, whole: a random fuzzer seldom reaches a called ticket or a booking."""
    api = Contract(hub)
    for template in ("/healthz", "/api/v1/branch", "/api/v1/services", "/api/v1/queue", "/api/v1/devices"):
        api.call("GET", template, 200)
    api.call("GET", "/api/v1/console/config", 200)
    api.call("POST", "/api/v1/counters/{counter_id}/open", 200, counter_id="c1")
    key = {"service": "cash", "idempotency_key": f"contract-{FUZZ_SEED}"}
    ticket = api.call("POST", "/api/v1/tickets", 201, json_body=key)
    api.call("POST", "/api/v1/tickets", 200, json_body=key)
    api.call("GET", "/api/v1/tickets/{ticket_id}", 200, ticket_id=ticket["id"], lang="zh")
    api.call("POST", "/api/v1/tickets/{ref}/arrive", 200, ref=ticket["id"])
    api.call("GET", "/api/v1/tickets", 200, status="waiting,parked")
    api.call("POST", "/api/v1/counters/{counter_id}/call", 200, json_body={"ticket_id": ticket["id"]}, counter_id="c1")
    api.call("GET", "/api/v1/counters", 200)
    api.call("GET", "/api/v1/console/counters", 200)
    api.call("GET", "/api/v1/calls", 200, last="3")
    for action in ("recall", "start", "park"):
        api.call("POST", f"/api/v1/counters/{{counter_id}}/{action}", 200, counter_id="c1")
    api.call("POST", "/api/v1/counters/{counter_id}/call", 200, json_body={"ticket_id": ticket["id"]}, counter_id="c1")
    api.call("POST", "/api/v1/counters/{counter_id}/transfer", 200, json_body={"service": "payments"}, counter_id="c1")
    api.call("POST", "/api/v1/counters/{counter_id}/call-next", 200, counter_id="c1")
    api.call("POST", "/api/v1/counters/{counter_id}/no-show", 409, counter_id="c1")  # too soon after the call
    api.call("POST", "/api/v1/counters/{counter_id}/finish", 200, json_body={"outcome": "done"}, counter_id="c1")
    leaving = api.call("POST", "/api/v1/tickets", 201, json_body={"service": "cards", "lang": "zh"})
    api.call("DELETE", "/api/v1/tickets/{ticket_id}", 200, ticket_id=leaving["id"])
    api.call("POST", "/api/v1/triage", 200, json_body={"intent": "withdraw_cash", "entities": {"amount": 100}})
    api.call("POST", "/api/v1/chat", 200, json_body={"sender": "kiosk-contract", "message": "hello"})
    api.call("POST", "/api/v1/understand", 200, json_body={"text": "I lost my card"})
    api.call("POST", "/api/v1/staff-alerts", 202, json_body={"reason": "help"})
    api.call("POST", "/api/v1/ratings", 201, json_body={"score": 5, "ticket_id": ticket["id"]})
    api.call("PUT", "/api/v1/devices/{device_id}/status", 200, json_body={"state": "busy"}, device_id="atm-1")

    slots: list[dict[str, Any]] = []
    for day in _bookable_days()[1:]:
        slots = [slot for slot in api.call("GET", "/api/v1/appointments/slots", 200, service="loans", date=day)["slots"]
                 if slot["free"]]  # fmt: skip
        if len(slots) >= 2:
            break
    booking = {"service": "loans", "starts_at": slots[0]["starts_at"], "name": "Contract Test"}
    code = api.call("POST", "/api/v1/appointments", 201, json_body=booking)["code"]
    api.call("GET", "/api/v1/appointments/{code}", 200, code=code)
    assert b"BEGIN:VCALENDAR" in api.call("GET", "/api/v1/appointments/{code}/calendar.ics", 200, code=code)
    api.call("POST", "/api/v1/appointments/{code}/reschedule", 200, json_body={"starts_at": slots[1]["starts_at"]},
             code=code)  # fmt: skip
    api.call("POST", "/api/v1/appointments/{code}/check-in", 409, code=code)  # not today: too early
    api.call("DELETE", "/api/v1/appointments/{code}", 200, code=code)
    api.call("DELETE", "/api/v1/appointments/{code}", 409, code=code)  # cancelled already

    api.call("GET", "/api/v1/dashboard", 200)
    assert api.call("GET", "/api/v1/dashboard/visits.csv", 200).startswith(b"ticket_id,")
    api.call("GET", "/api/v1/audit", 200, limit="5")
    api.call("GET", "/api/v1/audit.csv", 200)
    api.call("GET", "/api/v1/qr.svg", 200, data="https://example.org/t/1")
    assert len(api.seen) >= 40


def _bookable_days(count: int = 14) -> list[str]:
    """The next days in the branch's time zone: dates a fuzzer would rarely hit, where slots can be booked."""
    settings = load_settings(ROOT / "branch.yml", environ={})
    today = datetime.now(ZoneInfo(settings.branch.timezone)).date()
    return [(today + timedelta(days=offset)).isoformat() for offset in range(count)]


def _fuzz_config() -> str:
    """schemathesis.toml: half the time a field or parameter that names one of the branch's services,
    counters, devices, intents or coming days gets a real one, so the run reaches past "unknown ..." (a
    ticket issued, called, finished; a slot offered, then booked along the document's link)."""
    settings = load_settings(ROOT / "branch.yml", environ={})
    values = {
        "days": _bookable_days(),
        "services": [service.id for service in settings.services],
        "bookable": list(settings.bookable_service_ids()),
        "counters": [counter.id for counter in settings.counters],
        "devices": [device.id for device in settings.devices],
        "intents": sorted({intent for service in settings.services for intent in service.intents}),
    }
    bindings = {
        "query.date": "days", "query.service": "bookable", "body.service": "services", "body.counter": "counters",
        "body.intent": "intents", "path.counter_id": "counters", "path.device_id": "devices",
    }  # fmt: skip
    lines = [f"[dictionaries.{name}]\nvalues = {json.dumps(found)}\n" for name, found in values.items()]
    lines.append("[parameters]")
    lines += [f'"{key}" = {{ dictionary = "{name}", probability = 0.5 }}' for key, name in bindings.items()]
    return "\n".join(lines) + "\n"


def _schemathesis(hub: Hub, directory: Path, *arguments: str) -> dict[str, Any]:
    """One `st run` against the hub with the checks above; its JSON report (the test fails on any finding)."""
    config = directory / "schemathesis.toml"
    config.write_text(_fuzz_config())
    report = directory / "report.json"
    command = [str(Path(sys.executable).parent / "st"), "--config-file", str(config), "--no-color", "run"]
    command += [f"{hub.url}/api/v1/openapi.json", "--url", hub.url, "--checks", ",".join(FUZZ_CHECKS)]
    command += ["--mode", "all", "--exclude-path-regex", WEBSOCKETS, "--seed", str(FUZZ_SEED)]
    # One worker: with two threads, hypothesis's lambda descriptions (ast.parse) in both at once sometimes end in
    # CPython 3.11's "SystemError: AST constructor recursion depth mismatch", an errored case that is no finding.
    command += ["--generation-database", "none", "--request-timeout", "30", "--workers", "1", "--report", "json"]
    command += ["--report-json-path", str(report), *arguments]
    run = subprocess.run(command, cwd=directory, capture_output=True, text=True, timeout=FUZZ_TIMEOUT)
    output = run.stdout[-12000:] + run.stderr[-3000:]
    assert report.exists(), output
    result: dict[str, Any] = json.loads(report.read_text())
    cases = result["test_cases"]
    print(
        f"schemathesis: {result['operations']['tested']} operations, {cases['generated']} cases, "
        f"{cases['unique_failures']} failures, {cases['errored']} errors, {result['running_time']:.0f} s"
    )
    assert run.returncode == 0, output
    assert result["failures"] == [] and result["errors"] == [], output
    assert cases["unique_failures"] == 0 and cases["errored"] == 0, output
    assert result["operations"]["tested"] >= 54, output  # every HTTP operation: all but the WebSockets
    assert all(phase["status"] in ("success", "skip") for phase in result["phases"].values()), result["phases"]
    log = hub.log.read_text(errors="replace")
    assert "Traceback" not in log and "unhandled error" not in log, log[-5000:]
    return result


def test_schemathesis_as_staff_finds_no_server_error_and_no_answer_off_the_document(hub: Hub, tmp_path: Path) -> None:
    """A manager's token: every operation open to it, every phase."""
    result = _schemathesis(hub, tmp_path, "-H", f"Authorization: Bearer {hub.token}", "-n", str(FUZZ_EXAMPLES))
    assert result["test_cases"]["generated"] >= 1000
    assert all(phase["status"] == "success" for phase in result["phases"].values()), result["phases"]


def test_schemathesis_without_a_token_finds_every_refusal_documented(hub: Hub, tmp_path: Path) -> None:
    """Anyone on the network: 401 on staff operations, the failed-attempts throttle (429) once it has
    named enough unknown secrets, rate limits on public writes — all documented. After the staff run:
    once this address is throttled, its tokens wait too."""
    result = _schemathesis(hub, tmp_path, "--phases", "fuzzing", "-n", str(ANONYMOUS_EXAMPLES))
    assert result["test_cases"]["generated"] >= 200


@pytest.mark.parametrize(
    "path", ["/api/v1/events", "/api/v1/events/staff", "/api/v1/chat/ws", "/api/v1/tickets/abc/events"]
)
def test_a_websocket_route_answers_a_plain_get_with_426_and_the_error_shape(hub: Hub, path: str) -> None:
    response = httpx.get(f"{hub.url}{path}", timeout=10)
    assert response.status_code == 426
    assert response.headers["content-type"].startswith("application/json")
    assert set(response.json()["error"]) == {"code", "message"}
