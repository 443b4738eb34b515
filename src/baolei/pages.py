"""Helpers shared by the pages of every app: a service's refusal shown on the field at
fault, the drill-down through the viewer's scope, query strings for filter links, what a
filtered list shows around its rows, and region names for lists."""

from collections.abc import Iterable

from django.http import HttpRequest

from baolei.accounts.scope import scoped
from baolei.regions.models import Region
from baolei.regions.services import picker_roots


def apply_error(form, error, aliases: dict[str, str] | None = None) -> None:
    """Put a service's refusal (an error with `field` and `message`) on the form field it
    names (through `aliases` where the form calls it otherwise), or above the form."""
    field = getattr(error, "field", None)
    field = (aliases or {}).get(field, field)
    form.add_error(field if field in form.fields else None, str(error.message))


def query_without(request: HttpRequest, *names: str) -> str:
    """The request's query string without these parameters (for page and sort links)."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def drill_down(request: HttpRequest, code: str | None) -> tuple[list[Region], list[Region]]:
    """The breadcrumbs (within the scope) and the children of the region being shown."""
    scope = request.scope
    current = code or scope.region_code
    if current is None:
        return [], list(Region.objects.children_of(None))
    ancestors = [c for c in Region(code=current).ancestor_codes() if scope.contains(c)]
    crumbs = list(Region.objects.filter(code__in=[*ancestors, current]).order_by("code"))
    children = list(scoped(Region.objects.children_of(current), scope).order_by("code"))
    return crumbs, children


def list_context(
    request: HttpRequest,
    form,
    page,
    region_code: str | None,
    *,
    can_edit: bool,
    paging: tuple[str, ...] = ("page",),
) -> dict:
    """What a filtered list shows around its rows: the filters, the drill-down from the
    region filtered on (or the scope's), the query strings that keep the filters on the
    export link (`filter_query`) and on the drill-down (`drill_query`), and the region
    picker. `paging`: the parameters that name a page, dropped from those links."""
    crumbs, children = drill_down(request, region_code)
    return {
        "form": form,
        "page": page,
        "crumbs": crumbs,
        "children": children,
        "filter_query": query_without(request, *paging),
        "drill_query": query_without(request, *paging, "region"),
        "picker_roots": picker_roots(request.scope),
        "can_edit": can_edit,
    }


def region_names(region_codes: Iterable[str]) -> dict[str, str]:
    """Code → name of the given regions, in one query."""
    return dict(Region.objects.filter(code__in=set(region_codes)).values_list("code", "name"))
