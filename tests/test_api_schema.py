"""The API's OpenAPI document tells the truth about every operation.

django-ninja files every schema under its class name in `components/schemas` and, when two
apps use the same name for different schemas, silently keeps one of them: an operation
then documents another operation's body. Every schema used by the routers must have a
name of its own."""

import collections
import enum
import json
import typing

import pytest
from django.test import Client
from pydantic import BaseModel

from baolei.api import api

pytestmark = pytest.mark.django_db


def _operations():
    for bound in api._get_bound_routers():
        for path_view in bound.path_operations.values():
            yield from path_view.operations


def _is_ninja_wrapper(model) -> bool:
    # The models ninja builds around an operation's parameters and responses do not
    # appear in the document; what they hold does.
    return hasattr(model, "__ninja_param_source__") or model.__name__ == "NinjaResponseSchema"


def _collect(annotation, found: set) -> None:
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        found.add(annotation)
        return
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in found:
            return
        if not _is_ninja_wrapper(annotation):
            found.add(annotation)
        for field in annotation.model_fields.values():
            _collect(field.annotation, found)
        return
    for argument in typing.get_args(annotation):
        _collect(argument, found)


def _documented_types() -> set:
    found: set = set()
    for operation in _operations():
        for model in operation.models:
            _collect(model, found)
        for model in (operation.response_models or {}).values():
            _collect(model, found)
    return found


def _shape(documented) -> str:
    if issubclass(documented, enum.Enum):
        return json.dumps(sorted(str(member.value) for member in documented))
    return json.dumps(documented.model_json_schema(), sort_keys=True, default=str)


def test_every_schema_name_stands_for_one_shape():
    shapes = collections.defaultdict(dict)
    for documented in _documented_types():
        shapes[documented.__name__][_shape(documented)] = (
            f"{documented.__module__}.{documented.__qualname__}"
        )
    clashes = {name: sorted(by_shape.values()) for name, by_shape in shapes.items()}
    clashes = {name: where for name, where in clashes.items() if len(where) > 1}
    assert clashes == {}


def _body_model(operation):
    bodies = [m for m in operation.models if m.__ninja_param_source__ == "body"]
    if len(bodies) != 1 or len(bodies[0].model_fields) != 1:
        return None
    (field,) = bodies[0].model_fields.values()
    model = field.annotation
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def test_every_operation_documents_its_own_body(client_county_admin):
    document = client_county_admin.get("/api/openapi.json").json()
    by_id = {
        details["operationId"]: details
        for methods in document["paths"].values()
        for details in methods.values()
    }
    components = document["components"]["schemas"]
    checked = 0
    for operation in _operations():
        model = _body_model(operation)
        if model is None:
            continue
        operation_id = operation.operation_id or api.get_openapi_operation_id(operation)
        body = by_id[operation_id]["requestBody"]["content"]["application/json"]["schema"]
        reference = body["$ref"].rsplit("/", 1)[-1]
        fields = {field.alias or name for name, field in model.model_fields.items()}
        assert set(components[reference]["properties"]) == fields, operation_id
        checked += 1
    assert checked > 20


def test_the_household_member_body_is_the_registry_s():
    document = Client().get("/api/openapi.json").json()
    body = document["paths"]["/api/registry/households/{pk}/members"]["post"]["requestBody"]
    reference = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    properties = document["components"]["schemas"][reference]["properties"]
    assert "id_number" in properties
    assert "role" not in properties  # the work team's member body has a role
