"""What the cadres API modules share: error bodies, strict input schemas, the permission
check (403), the refusal answer (422), the region filter (404 outside the scope) and a
payload's values for the services."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Schema, Status
from ninja.errors import HttpError
from pydantic import ConfigDict

from baolei.accounts.permissions import Perm
from baolei.accounts.scope import Scope, get_in_scope
from baolei.cadres.services import cadres as services
from baolei.regions.models import Region


class ErrorOut(Schema):
    detail: str
    code: str
    field: str | None = None


class StrictSchema(Schema):
    model_config = ConfigDict(extra="forbid")


def require(request: HttpRequest, perm: Perm) -> Scope:
    if not request.scope.can(perm):
        raise HttpError(403, "not allowed")
    return request.scope


def refusal(error: services.CadreError) -> Status:
    return Status(422, {"detail": str(error.message), "code": error.code, "field": error.field})


def check_region(scope: Scope, code: str | None) -> None:
    if code:
        get_in_scope(Region.objects.all(), scope, code=code)


def value_of(value):
    return getattr(value, "value", value)


def payload_values(payload: Schema, **options) -> dict:
    """The payload's fields (`options` as for `Schema.dict`), enumerations as their
    stored values: what the services take."""
    return {name: value_of(value) for name, value in payload.dict(**options).items()}
