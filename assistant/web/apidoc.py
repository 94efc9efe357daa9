"""The OpenAPI document: one `@operation(...)` per route; every schema generated from a model.

Why not sanic-ext's own rendering of a msgspec Struct: it keeps the field names but drops what
validation enforces (required fields, lengths, patterns, `forbid_unknown_fields`) and writes OpenAPI 3.0
`nullable`. Here the models go through `msgspec.json.schema_components` — the library that validates the
bodies (`errors.decode_body`) also writes their JSON Schema, so the document cannot drift from the
checks — and the document is OpenAPI 3.1, whose schemas are JSON Schema 2020-12, what msgspec emits.

sanic-ext still finds the routes and builds the document's skeleton (paths, operation ids, tags,
security); `@operation` records bodies, parameters and answers on it through sanic-ext's own decorators,
as `$ref`s to components, and `document(app)` adds the components: every model named by an operation.

Conventions the decorator applies so that no operation forgets them:
* a body: 413 (over `REQUEST_MAX_SIZE`), 415 (not JSON: `edge.check_request`) and 422 (fails its model);
* a token (see `auth.requires`): 401 and 429 (the failed-attempts throttle), and 403 when it is required;
* every 4xx/5xx answer has the one error shape, `Error` ({"error": {"code", "message"}}).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

import msgspec
from sanic import Sanic
from sanic_ext import openapi
from sanic_ext.extensions.openapi.builders import OperationStore, SpecificationBuilder
from sanic_ext.extensions.openapi.types import Schema

from assistant.web.schemas import Error

Handler = TypeVar("Handler", bound=Callable[..., Any])

REF = "#/components/schemas/{name}"
JSON = "application/json"
OPENAPI_VERSION = "3.1.0"

# Every model an operation names, by component name; filled as the route modules are imported.
_MODELS: dict[str, type] = {}

DEFAULT_ERRORS = {
    401: "no token, or an unknown, revoked or expired one (token_expired)",
    403: "the token's role may not do this",
    413: "payload_too_large: the body is over 64 KiB",
    415: "unsupported_media_type: the body is not sent as application/json",
    422: "invalid_json, invalid_input (the body does not fit its schema) or too_deep",
    429: "too_many_attempts: this address sent too many wrong tokens or unknown secrets (see Retry-After)",
}
WRONG_OPTIONAL_TOKEN = "a token was sent but is unknown, revoked or expired (none is needed)"
# The public writes (metrics.PUBLIC_WRITES): limited per address unless they carry a valid token.
PUBLIC_WRITE = {
    429: "rate_limited: too many public writes from this address (a kiosk's or staff token is not limited); "
    "too_many_attempts: too many wrong tokens from it",
}
PUBLIC_WRITE_SECURITY = ("", "token")  # no token needed; a valid one lifts the rate limit, a wrong one is a 401


def ref(model: type) -> dict[str, str]:
    """`{"$ref": ...}` to the component of `model` (a msgspec Struct, a dataclass or an enum)."""
    name = model.__name__
    known = _MODELS.setdefault(name, model)
    if known is not model:
        raise TypeError(f"two models would share the component name {name}: {known!r} and {model!r}")
    return {"$ref": REF.format(name=name)}


class _Raw(Schema):
    """A JSON Schema given as it is: sanic-ext would otherwise read a dict as an object's fields."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        super().__init__(**schema)

    def guard(self, fields: dict[str, Any]) -> dict[str, Any]:
        return fields


@dataclass(frozen=True, slots=True)
class Reply:
    """One documented answer: JSON of `model` (plus the `also` keys), or a body of another media type."""

    description: str
    model: type | None = None
    media: str | tuple[str, ...] = JSON  # several: a route serving scripts and styles, say
    also: Mapping[str, type] = field(default_factory=dict)  # keys added to the model's object
    headers: Mapping[str, str] = field(default_factory=dict)  # response header -> what it says
    links: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # name -> `link(...)`

    def content(self) -> dict[str, Any]:
        medias = (self.media,) if isinstance(self.media, str) else self.media
        if self.model is None:  # text (a page, a script, CSV) or bytes (audio, images): not described further
            return {media: {"schema": {"type": "string"} if media.startswith("text/") else {}} for media in medias}
        schema: dict[str, Any] = ref(self.model)
        if self.also:
            extra = {"type": "object", "properties": {key: ref(model) for key, model in self.also.items()}}
            schema = {"allOf": [schema, {**extra, "required": list(self.also)}]}
        return {media: {"schema": schema} for media in medias}


def link(method: str, path: str, body: Mapping[str, str] | None = None, **parameters: str) -> dict[str, Any]:
    """An OpenAPI link: the answer gives `parameters` (and `body` fields) of the operation `method path`,
    as runtime expressions such as `$response.body#/id`."""
    pointer = path.replace("~", "~0").replace("/", "~1")
    out: dict[str, Any] = {"operationRef": f"#/paths/{pointer}/{method.lower()}"}
    if parameters:
        out["parameters"] = parameters
    if body:
        out["requestBody"] = dict(body)
    return out


def _fields(model: type, location: str) -> list[dict[str, Any]]:
    """The parameters a Struct declares: one per field (renamed fields keep their wire name)."""
    _, components = msgspec.json.schema_components([model], ref_template=REF)
    if len(components) > 1:  # parameters are flat: strings, numbers, dates, literals
        raise TypeError(f"{model.__name__}: a parameter may not refer to another model ({sorted(components)})")
    schema = components[model.__name__]
    required = set(schema.get("required", ()))
    out = []
    for name, prop in schema["properties"].items():
        prop = dict(prop)
        description = prop.pop("description", None)
        param: dict[str, Any] = {"name": name, "schema": _Raw(prop), "location": location}
        param["required"] = location == "path" or name in required
        if description:
            param["description"] = description
        out.append(param)
    return out


def operation(
    summary: str,
    *,
    description: str = "",
    body: type | None = None,
    body_required: bool = True,
    path: type | Mapping[str, Mapping[str, Any]] | None = None,
    query: type | None = None,
    headers: type | None = None,
    replies: Mapping[int, Reply],
    errors: Mapping[int, str] | None = None,
    security: tuple[str, ...] | None = None,
) -> Callable[[Handler], Handler]:
    """Document one route. Put it right under the route decorator (`@bp.get(...)`), above `auth.requires`.

    `path`, `query`, `headers`: Structs whose fields are the parameters (types and limits included);
    `path` may also map a name to its JSON Schema (an enum of the files a route serves, say).
    `replies`: the successful answers; `errors`: status -> when (the error shape is implied).
    `security`: ("token",) for a token the handler checks itself; ("", "token") when optional.
    """
    wanted = dict(errors or {})

    def decorate(handler: Handler) -> Handler:
        store = OperationStore()[handler]
        if security is not None:
            for scheme in security:
                openapi.secured(*(scheme,) if scheme else ())(handler)
        token = any(gate for gate in store.security)
        optional = {} in store.security
        defaults: tuple[int, ...] = ((401, 429) if optional else (401, 403, 429)) if token else ()
        defaults += (413, 415, 422) if body is not None else ()
        for status in defaults:
            wanted.setdefault(status, WRONG_OPTIONAL_TOKEN if optional and status == 401 else DEFAULT_ERRORS[status])
        openapi.summary(summary)(handler)
        if description:
            openapi.description(description)(handler)
        if body is not None:
            store.body({JSON: {"schema": ref(body)}}, required=body_required)
        if isinstance(path, Mapping):
            for name, schema in path.items():
                store.parameter(name, _Raw(schema), "path", required=True)
        for model, location in ((path, "path"), (query, "query"), (headers, "header")):
            if isinstance(model, type):
                for param in _fields(model, location):
                    store.parameter(**param)
        for status, reply in sorted(replies.items()):
            openapi.response(status, reply.content(), reply.description)(handler)
            # sanic-ext's Response keeps only content and description: add headers and links as they are.
            store.responses[status].fields.update(_extras(reply))
        for status, when in sorted(wanted.items()):
            openapi.response(status, {JSON: {"schema": ref(Error)}}, when)(handler)
        return handler

    return decorate


def _extras(reply: Reply) -> dict[str, Any]:
    extras: dict[str, Any] = {}
    if reply.headers:
        schema = {"type": "string"}
        extras["headers"] = {name: {"description": text, "schema": schema} for name, text in reply.headers.items()}
    if reply.links:
        extras["links"] = dict(reply.links)
    return extras


# -- the document ------------------------------------------------------------------------------

_EXT = re.compile(r"<(\w+):ext=(\w+)>")
_PARAM = re.compile(r"<(\w+)[^>]*>")


def _wire_paths(app: Sanic) -> dict[str, str]:
    """Paths as clients write them: sanic-ext shows `<ticket_id:ext=wav>` as `{ticket_id}`, not `{ticket_id}.wav`."""
    out = {}
    for group in app.router.groups.values():
        raw = f"/{group.raw_path}"
        if _EXT.search(raw):
            out[_PARAM.sub(r"{\1}", raw)] = _PARAM.sub(r"{\1}", _EXT.sub(r"<\1>.\2", raw))
    return out


def _websocket_operations(app: Sanic, paths: dict[str, Any]) -> None:
    """Sanic registers a WebSocket route's handler wrapped in a partial, so sanic-ext looks up the wrapper and
    finds nothing: copy what `@operation` recorded on the handler itself."""
    store = OperationStore()
    for route in app.router.routes:
        handler = route.handler
        if not getattr(route.extra, "websocket", False) or not isinstance(handler, partial) or not handler.args:
            continue
        original = handler.args[0]
        item = paths.get(_PARAM.sub(r"{\1}", f"/{route.path}"), {}).get("get")
        if original not in store or item is None:
            continue
        documented = store[original].build().serialize()
        named = {param["name"] for param in documented.get("parameters", ())}
        documented["parameters"] = documented.get("parameters", []) + [
            param for param in item.get("parameters", ()) if param["name"] not in named
        ]
        item.update({key: value for key, value in documented.items() if key != "operationId" and value})


def _branch_examples(app: Sanic) -> dict[str, list[str]]:
    """This branch's ids, by the name of the field or parameter that takes one (branch.yml decides them)."""
    settings = app.ctx.settings
    counters = [counter.id for counter in settings.counters]
    return {
        "service": [service.id for service in settings.services],
        "counter": counters,
        "counter_id": counters,
        "device_id": [device.id for device in settings.devices],
        "outcome": list(settings.queue.outcomes),
        "priority": list(settings.priority.classes),
    }


def _add_examples(spec: dict[str, Any], examples: Mapping[str, list[str]]) -> None:
    """Give parameters and request-body fields that take one of the branch's ids those ids as `examples`:
    a client (and a fuzzer) sees what this hub accepts; other values still fail with 404 or 422."""
    bodies: set[str] = set()
    for item in spec["paths"].values():
        for documented in item.values():
            for param in documented.get("parameters", ()):
                if param["name"] in examples:
                    param["schema"] = {**param.get("schema", {}), "examples": examples[param["name"]]}
            for media in documented.get("requestBody", {}).get("content", {}).values():
                bodies.add(str(media.get("schema", {}).get("$ref", "")).rsplit("/", 1)[-1])
    schemas = spec["components"]["schemas"]
    for name in bodies & set(schemas):
        for key, prop in schemas[name].get("properties", {}).items():
            if key in examples:
                prop["examples"] = examples[key]


def document(app: Sanic) -> dict[str, Any]:
    """The OpenAPI 3.1 document of `app`: sanic-ext's build, the wire paths, and every model's schema."""
    spec: dict[str, Any] = SpecificationBuilder().build(app).serialize()
    spec["openapi"] = OPENAPI_VERSION
    spec["info"] = {
        "title": app.config.get("OAS_TITLE", "Lobby branch hub"),
        "version": str(app.config.get("OAS_VERSION", "1")),
        "description": 'The branch hub\'s API v1. Errors are always {"error": {"code", "message"}} with a '
        "matching 4xx/5xx status. Staff and device operations need `Authorization: Bearer <token>` "
        "(`lobby token create --role ...`).",
    }
    if not spec.get("servers"):
        spec.pop("servers", None)
    _websocket_operations(app, spec["paths"])
    renamed = _wire_paths(app)
    spec["paths"] = {renamed.get(path, path): item for path, item in spec["paths"].items()}
    for item in spec["paths"].values():
        for documented in item.values():
            for reply in documented.get("responses", {}).values():
                if reply.get("content") == {}:
                    del reply["content"]  # an answer without a body (304)
    _, schemas = msgspec.json.schema_components(list(_MODELS.values()), ref_template=REF)
    spec.setdefault("components", {})["schemas"] = dict(sorted(schemas.items()))
    _add_examples(spec, _branch_examples(app))
    return spec
