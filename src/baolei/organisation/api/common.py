"""What the organisation API modules share: strict input schemas, the error body, the
list filters, the permission check (403), the refusal answer (422), the region filter
(404 outside the scope) and the check of the records a request refers to."""

from __future__ import annotations

import enum

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema, Status
from ninja.errors import HttpError
from pydantic import ConfigDict

from baolei.accounts.permissions import Perm
from baolei.accounts.scope import Scope, get_in_scope, scoped
from baolei.bounds import Limit, Offset
from baolei.messages import CodedError, lazy_format
from baolei.organisation.services.common import OrganisationError
from baolei.regions import codes
from baolei.regions.models import Region


class StrictSchema(Schema):
    model_config = ConfigDict(extra="forbid")


class ErrorOut(Schema):
    detail: str
    code: str
    field: str | None = None


class ListFilters(Schema):
    region: str | None = Field(None, description="A region code within the scope.")
    limit: Limit = 100
    offset: Offset = 0


class RegionQuery(Schema):
    region: str | None = Field(None, description="Default: the caller's scope.")


def require(request: HttpRequest, perm: Perm) -> Scope:
    if not request.scope.can(perm):
        raise HttpError(403, "not allowed")
    return request.scope


def refusal(error: CodedError) -> Status:
    """A service's refusal (any of the app's errors, each with a `field`) as a 422."""
    return Status(422, {"detail": str(error.message), "code": error.code, "field": error.field})


def value_of(value):
    return value.value if isinstance(value, enum.Enum) else value


def region_filter(scope: Scope, region: str | None) -> str | None:
    """A region of the scope (404 outside it, as for one that does not exist)."""
    if region:
        get_in_scope(Region.objects.all(), scope, code=region)
    return region or None


def within(queryset, field: str, region: str | None):
    return queryset.filter(codes.within(field, region)) if region else queryset


def in_scope(scope: Scope, queryset, pk: int | None, field: str):
    """An object the caller may reach, or a 422 naming the field (not a 404: the request
    itself is in scope, one of its references is not)."""
    if pk is None:
        return None
    found = scoped(queryset, scope).filter(pk=pk).first()
    if found is None:
        raise OrganisationError(
            "not_found",
            lazy_format(_("Nothing with the id %(pk)s in your scope."), pk=pk),
            field=field,
        )
    return found
