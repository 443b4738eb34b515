"""Helpers shared by the pages of every app: a service's refusal shown on the field at
fault, the drill-down through the viewer's scope, query strings for filter links, what a
filtered list shows around its rows, sorting a list by a column, and region names for lists."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import F, QuerySet
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


# --- sorting a list by a column -----------------------------------------------------------

Rows = TypeVar("Rows", QuerySet, list)

# A column of a list sorted in Python: an attribute path ("person.name") or a function.
SortKey = str | Callable[[Any], Any] | tuple[str, ...]


@dataclass(frozen=True)
class SortState:
    """The column a list is sorted by, for its headers (`_sort_th.html`): `key` without
    the sign, `descending`, and `query`, the request's query string without `sort` and
    the page parameters, so that a header keeps the filters and starts at page one."""

    key: str
    descending: bool
    query: str

    @property
    def value(self) -> str:
        return f"-{self.key}" if self.descending else self.key


def _attribute(row: Any, path: str) -> Any:
    for name in path.split("."):
        row = row.get(name) if isinstance(row, dict) else getattr(row, name, None)
        if row is None:
            return None
    return row


def _python_key(spec: SortKey) -> Callable[[Any], Any]:
    paths = (spec,) if isinstance(spec, str) else spec
    if callable(paths):
        function = paths
    else:

        def function(row: Any) -> tuple:
            return tuple(_attribute(row, path) for path in paths)

    def key(row: Any) -> tuple:
        value = function(row)
        values = value if isinstance(value, tuple) else (value,)
        # None last in ascending order, and comparable with anything.
        return tuple((v is None, v if v is not None else 0) for v in values)

    return key


def sorted_by(
    request: HttpRequest,
    rows: Rows,
    allowed: dict[str, SortKey],
    default: str,
    *,
    paging: tuple[str, ...] = ("page",),
) -> tuple[Rows, SortState]:
    """`rows` sorted by the column the request's `?sort=key` or `?sort=-key` names, if
    `allowed` has it, else by `default` ("key" or "-key", a key of `allowed`). Only the
    whitelisted keys reach `order_by`: a queryset maps each to field paths (a string or a
    tuple of them; "-field" sorts against the column), a list to attribute paths or a
    function. Querysets end on the primary key so that pages do not overlap; lists sort
    stably. An unknown key falls back to the default: never a 500, never an arbitrary
    `order_by`."""
    requested = request.GET.get("sort", "").strip()
    key = requested.lstrip("-")
    if not key or key not in allowed:
        requested, key = default, default.lstrip("-")
    descending = requested.startswith("-")
    state = SortState(key, descending, query_without(request, "sort", *paging))
    spec = allowed[key]
    if isinstance(rows, QuerySet):
        paths = (spec,) if isinstance(spec, str) else spec
        # A path written "-field" runs against the column (ages shown from birth dates).
        order = [
            F(path.lstrip("-")).desc(nulls_last=True)
            if descending != path.startswith("-")
            else F(path.lstrip("-")).asc(nulls_last=True)
            for path in paths
        ]
        tie = "-pk" if descending else "pk"
        return rows.order_by(*order, tie), state
    return sorted(rows, key=_python_key(spec), reverse=descending), state


def capped_count(queryset: QuerySet, cap: int = 100_000) -> tuple[int, bool]:
    """The number of rows, counting no further than `cap` (a count over a national register
    should not scan it all): (count, more) where `more` says there are over `cap`."""
    count = queryset.order_by()[: cap + 1].count()
    return min(count, cap), count > cap
