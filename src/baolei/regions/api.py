from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from baolei.accounts.permissions import Perm
from baolei.accounts.scope import get_in_scope, scoped
from baolei.bounds import Limit
from baolei.regions import services
from baolei.regions.models import Region

router = Router(tags=["regions"])


class RegionOut(Schema):
    code: str
    name: str
    level: int
    parent_code: str | None
    full_name: str


class RegionChildOut(Schema):
    region: RegionOut
    children: int
    villages: int


def _visible(request: HttpRequest):
    if not request.scope.can(Perm.VIEW):
        raise HttpError(403, "not allowed")
    return scoped(Region.objects.all(), request.scope)


@router.get("/search", response=list[RegionOut], summary="Search regions in scope by name or code")
def search_regions(request: HttpRequest, q: str, limit: Limit = 20):
    return services.search(_visible(request), q, limit=max(1, min(limit, 100)))


@router.get("/{code}", response=RegionOut, summary="One region in scope")
def get_region(request: HttpRequest, code: str):
    return get_in_scope(_visible(request), request.scope, code=code)


@router.get("/{code}/children", response=list[RegionChildOut], summary="Children with counts")
def region_children(request: HttpRequest, code: str):
    visible = _visible(request)
    region = get_in_scope(visible, request.scope, code=code)
    return services.children_with_counts(region, visible)
