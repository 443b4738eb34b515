"""Out-of-range numbers sent to the API are refused with a reason (422), never a 500.

The lasting guard walks the OpenAPI document: every integer or number a client may send —
query and path parameters, the fields of every request body — is tried with a huge and a
negative value. A new parameter without bounds that reaches the database or the arithmetic
fails here."""

import datetime
import json
from urllib.parse import urlencode

import pytest
from django.test import Client

from baolei.api import api

pytestmark = pytest.mark.django_db

HUGE_INTEGER = 10**22
HUGE_NUMBER = 1.63e308
NEGATIVE = -94132

_DOCUMENT = api.get_openapi_schema()
_COMPONENTS = _DOCUMENT["components"]["schemas"]


def _resolve(schema: dict) -> dict:
    while "$ref" in schema:
        schema = _COMPONENTS[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _numeric_type(schema: dict) -> str | None:
    schema = _resolve(schema)
    for option in schema.get("anyOf", [schema]):
        if option.get("type") in ("integer", "number"):
            return option["type"]
    return None


def _example(schema: dict, name: str = ""):
    """A plausible value for a field, so that a body reaches the handler."""
    schema = _resolve(schema)
    options = [o for o in schema.get("anyOf", [schema]) if o.get("type") != "null"]
    schema = _resolve(options[0]) if options else schema
    if "default" in schema:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "integer":
        return schema.get("minimum", 2024 if "year" in name else 1)
    if kind == "number":
        return schema.get("minimum", 1)
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    if kind == "object":
        return _body(schema)
    if schema.get("format") == "date":
        return datetime.date.today().isoformat()
    if schema.get("format") == "date-time":
        return datetime.datetime.now().isoformat()
    return "1"


def _body(schema: dict) -> dict:
    schema = _resolve(schema)
    required = set(schema.get("required", ()))
    return {
        name: _example(field, name)
        for name, field in schema.get("properties", {}).items()
        if name in required
    }


def _bad_values(kind: str) -> list:
    return [HUGE_INTEGER, NEGATIVE] if kind == "integer" else [HUGE_NUMBER, -HUGE_NUMBER]


def _cases():
    """(method, path, where, name, value) for every number a client may send."""
    for path, methods in _DOCUMENT["paths"].items():
        for method, operation in methods.items():
            parameters = operation.get("parameters", [])
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            fields = _resolve(body["schema"]).get("properties", {}) if body else {}
            for parameter in parameters:
                kind = _numeric_type(parameter["schema"])
                for value in _bad_values(kind) if kind else []:
                    yield method, path, parameter["in"], parameter["name"], value
            for name, field in fields.items():
                kind = _numeric_type(field)
                for value in _bad_values(kind) if kind else []:
                    yield method, path, "body", name, value


def _request(client, method, path, where, name, value):
    operation = _DOCUMENT["paths"][path][method]
    url = path
    for parameter in operation.get("parameters", []):
        if parameter["in"] != "path":
            continue
        given = value if parameter["name"] == name else _example(parameter["schema"])
        url = url.replace("{" + parameter["name"] + "}", str(given))
    query = {name: value} if where == "query" else {}
    body = operation.get("requestBody", {}).get("content", {}).get("application/json")
    data = _body(body["schema"]) if body else None
    if where == "body":
        data[name] = value
    return client.generic(
        method.upper(),
        url + ("?" + urlencode(query) if query else ""),
        json.dumps(data) if data is not None else "",
        content_type="application/json",
    )


@pytest.fixture
def admin_client(county_admin):
    client = Client(raise_request_exception=False)
    client.force_login(county_admin)
    return client


@pytest.mark.parametrize(
    ("method", "path", "where", "name", "value"),
    list(_cases()),
    ids=lambda v: str(v) if not isinstance(v, float) else f"{v:g}",
)
def test_an_out_of_range_number_is_never_a_server_error(
    admin_client, method, path, where, name, value
):
    response = _request(admin_client, method, path, where, name, value)
    assert response.status_code < 500, response.content[:300]


def _is_identifier(name: str) -> bool:
    # Django answers "not found" for an identifier beyond the column's range; every other
    # number is bounded in its schema, so that the document says what is accepted.
    return name in ("pk", "version") or name.endswith(("_id", "_ids"))


def _unbounded(schema: dict) -> bool:
    schema = _resolve(schema)
    for option in schema.get("anyOf", [schema]):
        option = _resolve(option)
        if option.get("type") == "array":
            return _unbounded(option.get("items", {}))
        if option.get("type") in ("integer", "number"):
            low = "minimum" in option or "exclusiveMinimum" in option
            high = "maximum" in option or "exclusiveMaximum" in option
            return not (low and high)
    return False


def test_every_number_a_client_sends_has_documented_bounds():
    unbounded = []
    for path, methods in _DOCUMENT["paths"].items():
        for method, operation in methods.items():
            for parameter in operation.get("parameters", []):
                if not _is_identifier(parameter["name"]) and _unbounded(parameter["schema"]):
                    unbounded.append(f"{method} {path} {parameter['name']}")
    seen = set()

    def walk(schema, where):
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            if name in seen:
                return
            seen.add(name)
        schema = _resolve(schema)
        for option in schema.get("anyOf", [schema]):
            option = _resolve(option) if "$ref" not in option else option
            if "$ref" in option:
                walk(option, where)
                continue
            if option.get("type") == "array":
                walk(option.get("items", {}), where)
            for field_name, field in option.get("properties", {}).items():
                if not _is_identifier(field_name) and _unbounded(field):
                    unbounded.append(f"{schema.get('title', where)}.{field_name}")
                walk(field, f"{where}.{field_name}")

    for path, methods in _DOCUMENT["paths"].items():
        for method, operation in methods.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                walk(body["schema"], f"{method} {path}")
    assert not unbounded, "\n".join(sorted(set(unbounded)))


@pytest.mark.parametrize(
    ("method", "url", "body", "field"),
    [
        ("get", "/api/cadres/gaps?year=-94132", None, "year"),
        ("get", "/api/organisation/elections?year=0", None, "year"),
        ("get", "/api/talent/courses?year=1020745", None, "year"),
        ("post", "/api/cadres/matching", {"year": 0}, "year"),
        ("get", "/api/organisation/life?year=1953044810954172", None, "year"),
        (
            "post",
            "/api/organisation/life",
            {"attended": 10**19, "expected": 10**19},
            "attended",
        ),
        ("get", "/api/cadres/ranking?risk_eliminated=1.63e%2B308", None, "risk_eliminated"),
        ("get", "/api/organisation/members?offset=1057099767142669352960", None, "offset"),
    ],
)
def test_the_reported_out_of_range_requests_are_refused_with_a_reason(
    admin_client, method, url, body, field
):
    if body is not None:
        path = url
        operation = _DOCUMENT["paths"][path][method]
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        body = {**_body(schema), **body}
        response = admin_client.post(url, body, content_type="application/json")
    else:
        response = admin_client.get(url)
    assert response.status_code == 422, response.content[:300]
    errors = response.json()["detail"]
    assert any(field in error["loc"] for error in errors), errors
    assert all(error["msg"] for error in errors)
