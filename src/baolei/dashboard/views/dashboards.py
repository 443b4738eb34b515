"""The dashboards of every level: a region's headline figures by capability, the trends
and breakdowns, the ranking of its children on any indicator (a table, a bar chart, a
treemap and, where boundaries were uploaded, a map), each child a link to its own
dashboard and each figure a link to the records behind it.

Scope: a region outside the viewer's scope answers 404 like one that does not exist; the
nation is only the national users'. Everything shown is read from the stored figures."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from baolei.accounts.decorators import require_perm
from baolei.accounts.permissions import Perm
from baolei.accounts.scope import get_in_scope, scoped
from baolei.dashboard import sheets
from baolei.dashboard.forms import BoundaryForm
from baolei.dashboard.models import Boundary
from baolei.dashboard.services import boundaries, facts, figures, ranking
from baolei.pages import sorted_by
from baolei.regions.models import Region

SORTS = {
    "rank": "rank",
    "name": "region.name",
    "code": "region.code",
    "value": "sort_value",
}


def region_for(request: HttpRequest, code: str | None) -> Region | None:
    """The region `code` in the viewer's scope (404 outside it); without a code the
    viewer's own region, None for the nation (national users only)."""
    scope = request.scope
    if code is None:
        if scope.is_national:
            return None
        code = scope.region_code
    return get_in_scope(Region.objects.all(), scope, code=code)


def code_in_scope(request: HttpRequest, code: str) -> str:
    """`code` if it is a region of the viewer's scope; "" (the nation) only for national
    users; 404 otherwise."""
    if not code:
        if not request.scope.is_national:
            raise Http404
        return facts.NATION
    return get_in_scope(Region.objects.all(), request.scope, code=code).code


def _crumbs(request: HttpRequest, region: Region | None) -> list[Region]:
    if region is None:
        return []
    codes = [c for c in region.ancestor_codes() if request.scope.contains(c)]
    return [*Region.objects.filter(code__in=codes).order_by("code"), region]


def _year(request: HttpRequest, years: list[int]) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return figures.this_year()
    return year if year in years else figures.this_year()


def _rank_key(request: HttpRequest) -> str | None:
    key = request.GET.get("rank", "")
    return key if key in figures.registered().indicators else ranking.default_key()


def dashboard_url(code: str) -> str:
    return reverse("dashboard:region", kwargs={"code": code}) if code else reverse("dashboard:home")


def _chart_data(code, sections, trends, rows, indicator, year, has_map) -> dict:
    """What the charts draw (dashboard.js), handed over with `json_script`."""
    query = f"?year={year}&rank={indicator.key}" if indicator else f"?year={year}"
    return {
        "trends": [t.as_json() for t in trends],
        "breakdowns": [
            {
                "key": b.key,
                "label": b.label,
                "items": [
                    {"name": str(c.indicator.name), "value": c.value.value, "url": c.value.url}
                    for c in b.cards
                ],
            }
            for s in sections
            for b in s.breakdowns
        ],
        "ranking": {
            "name": str(indicator.name) if indicator else "",
            "unit": str(indicator.unit) if indicator else "",
            "better": indicator.better if indicator else "",
            "rows": [
                {
                    "code": r.region.code,
                    "name": r.region.name,
                    "value": None if r.value.value is None else round(r.value.value, 2),
                    "url": dashboard_url(r.region.code) + query,
                }
                for r in rows
            ],
        },
        "map": (
            {
                "name": f"baolei-{code or 'nation'}",
                "url": reverse("dashboard:geojson") + f"?region={code}",
            }
            if has_map
            else None
        ),
    }


def _indicator_choices() -> list[tuple[str, list]]:
    """The indicators for the ranking's picker, by capability."""
    return [
        (
            section.label,
            [card.indicator for card in section.cards]
            + [card.indicator for b in section.breakdowns for card in b.cards],
        )
        for section in ranking.sections(
            [figures.value_of({}, i, "", 0) for i in figures.indicators()]
        )
    ]


def _dashboard(request: HttpRequest, region: Region | None) -> HttpResponse:
    code = region.code if region else facts.NATION
    this_year = figures.this_year()
    years = sorted({*figures.years_with_figures(code), this_year})
    year = _year(request, years)
    key = _rank_key(request)
    indicator = figures.registered().indicators.get(key) if key else None
    children = [] if region is not None and region.is_village else ranking.children_of(code)
    rows = ranking.ranking(code, key, year, children) if indicator and children else []
    if request.GET.get("format") == "xlsx":
        if not rows:
            raise Http404
        return sheets.ranking_response(request, region, indicator, year, rows)
    shown, sort = sorted_by(request, rows, SORTS, "rank")
    sections = ranking.headline(code, year)
    trends = ranking.trends(code, [y for y in years if y <= year])
    has_map = bool(children) and boundaries.has_map(code)
    context = {
        "region": region,
        "code": code,
        "crumbs": _crumbs(request, region),
        "as_of": facts.as_of(),
        "pending": facts.pending(code),
        "years": years,
        "year": year,
        "sections": sections,
        "trends": trends,
        "rank_indicator": indicator,
        "rank_choices": _indicator_choices(),
        "rows": shown,
        "sort": sort,
        "child_level": region.child_level_name if region else _("Provinces"),
        "has_map": has_map,
        "can_upload_map": request.scope.can(Perm.MANAGE_REFERENCE_DATA),
        "chart_data": _chart_data(code, sections, trends, rows, indicator, year, has_map),
    }
    return render(request, "dashboard/dashboard.html", context)


@require_GET
@require_perm(Perm.VIEW)
def home(request: HttpRequest) -> HttpResponse:
    """The dashboard of the viewer's own region (the nation for national users)."""
    return _dashboard(request, region_for(request, None))


@require_GET
@require_perm(Perm.VIEW)
def region(request: HttpRequest, code: str) -> HttpResponse:
    """The dashboard of one region in scope; `?format=xlsx` downloads the ranking."""
    return _dashboard(request, region_for(request, code))


@require_GET
@require_perm(Perm.VIEW)
def geojson(request: HttpRequest) -> HttpResponse:
    """The uploaded outlines of a region's children, for the dashboard's map."""
    found = boundaries.geojson_for(code_in_scope(request, request.GET.get("region", "")))
    if found is None:
        raise Http404
    response = HttpResponse(found, content_type="application/json")
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_perm(Perm.MANAGE_REFERENCE_DATA)
def boundary_upload(request: HttpRequest) -> HttpResponse:
    """Upload the boundary map of a region's children; every fault of a refused file is
    listed. A region outside the administrator's scope is refused like a missing one."""
    form = BoundaryForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["region"].strip()
        try:
            code = code_in_scope(request, code)
        except Http404:
            form.add_error("region", _("No such region in your scope."))
        else:
            upload = form.cleaned_data["file"]
            try:
                if upload.size > boundaries.MAX_BYTES:
                    data = upload.read(boundaries.MAX_BYTES + 1)
                else:
                    data = upload.read()
                boundary = boundaries.save(
                    code,
                    data,
                    by=request.user.get_username(),
                    approval_number=form.cleaned_data["approval_number"],
                )
            except boundaries.BoundaryError as error:
                errors = error.errors
            else:
                messages.success(
                    request,
                    _("The map of %(count)s regions is saved.") % {"count": boundary.features},
                )
                return redirect(dashboard_url(boundary.region_code))
    kept = scoped(Boundary.objects.all(), request.scope).defer("geojson").order_by("region_code")
    names = dict(
        Region.objects.filter(code__in=[b.region_code for b in kept]).values_list("code", "name")
    )
    listed = [(b, names.get(b.region_code, _("Whole country"))) for b in kept]
    return render(
        request,
        "dashboard/boundaries.html",
        {
            "form": form,
            "errors": errors,
            "boundaries": listed,
            "max_mb": boundaries.MAX_BYTES // 2**20,
        },
    )
