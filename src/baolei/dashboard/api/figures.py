"""The stored figures over the API: every indicator of a region, and the ranking of its
children on one indicator. Scoped like the pages: 403 without the right to view, 404 for
a region outside the caller's scope (the same as one that does not exist)."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema
from ninja.errors import HttpError

from baolei.accounts.permissions import Perm
from baolei.accounts.scope import get_in_scope
from baolei.bounds import Year
from baolei.dashboard.services import facts, figures, ranking
from baolei.regions.models import Region

router = Router(tags=["dashboard"])


class FigureOut(Schema):
    key: str
    capability: str
    group: str
    name: str
    unit: str
    definition: str
    yearly: bool
    better: str
    numerator: int
    denominator: int | None
    value: float | None
    previous: float | None
    change: float | None
    url: str | None


class RegionFiguresOut(Schema):
    code: str
    name: str
    year: int
    as_of: datetime.datetime | None
    pending: int
    figures: list[FigureOut]


class ChildFigureOut(Schema):
    code: str
    name: str
    rank: int
    value: float | None
    numerator: int
    denominator: int | None
    url: str | None  # the records behind the figure
    dashboard: str


class ChildrenOut(Schema):
    code: str
    indicator: str
    name: str
    unit: str
    year: int
    children: list[ChildFigureOut]


def _region(request: HttpRequest, code: str) -> Region:
    if not request.scope.can(Perm.VIEW):
        raise HttpError(403, "not allowed")
    return get_in_scope(Region.objects.all(), request.scope, code=code)


def _year(year: int | None) -> int:
    # The range is the `Year` type's: out of it is a 422 before the view runs.
    return figures.this_year() if year is None else year


def _figure(value: figures.Value) -> FigureOut:
    i = value.indicator
    return FigureOut(
        key=i.key,
        capability=i.capability,
        group=i.group,
        name=str(i.name),
        unit=str(i.unit),
        definition=str(i.definition),
        yearly=i.yearly,
        better=i.better,
        numerator=value.numerator,
        denominator=value.denominator,
        value=value.value,
        previous=value.previous,
        change=value.change,
        url=value.url,
    )


@router.get(
    "/regions/{code}/figures",
    response=RegionFiguresOut,
    summary="Every indicator of a region in scope, with last year's value",
)
def region_figures(request: HttpRequest, code: str, year: Year | None = None):
    region = _region(request, code)
    year = _year(year)
    return RegionFiguresOut(
        code=region.code,
        name=region.name,
        year=year,
        as_of=facts.as_of(),
        pending=facts.pending(region.code),
        figures=[_figure(v) for v in figures.region_values(region.code, year=year)],
    )


@router.get(
    "/regions/{code}/children",
    response=ChildrenOut,
    summary="The children of a region in scope ranked on one indicator",
)
def children_figures(
    request: HttpRequest, code: str, indicator: str | None = None, year: Year | None = None
):
    region = _region(request, code)
    key = indicator or ranking.default_key()
    chosen = facts.registered().indicators.get(key or "")
    if chosen is None:
        raise HttpError(422, "unknown indicator")
    year = _year(year)
    rows = ranking.ranking(region.code, chosen.key, year, ranking.children_of(region.code))
    return ChildrenOut(
        code=region.code,
        indicator=chosen.key,
        name=str(chosen.name),
        unit=str(chosen.unit),
        year=year,
        children=[
            ChildFigureOut(
                code=row.region.code,
                name=row.region.name,
                rank=row.rank,
                value=row.value.value,
                numerator=row.value.numerator,
                denominator=row.value.denominator,
                url=row.value.url,
                dashboard=reverse("dashboard:region", kwargs={"code": row.region.code}),
            )
            for row in rows
        ],
    )
