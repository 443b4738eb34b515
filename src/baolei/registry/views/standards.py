"""Pages of the annual lines and of the villages' rural populations.

The lines: everyone sees those that apply to their scope (the national ones and their
province's); the system administrator sets the national lines, a user whose scope is a
province (or the whole country) and who may edit the registry sets that province's. A
line of another province answers 404; a line the user sees but may not set, 403.

The populations: per county, the villages in the user's scope; set by whoever may edit
the registry there.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from baolei.accounts.decorators import require_perm
from baolei.accounts.permissions import Perm
from baolei.accounts.scope import scoped
from baolei.pages import apply_error, region_names
from baolei.regions.models import Region
from baolei.registry.forms.outcomes import PopulationsForm, StandardForm
from baolei.registry.models import NATIONAL, VillagePopulation
from baolei.registry.services import rules
from baolei.registry.services import standards as services_standards
from baolei.registry.services.people import RegistryError
from baolei.registry.views.outcomes import _can_edit, _county, _readiness_year, _year

FIRST_YEAR = 2014  # the first year of the shipped lines


def _scope_label(request: HttpRequest) -> str:
    scope = request.scope
    if scope.is_national:
        return _("the whole country")
    region = Region.objects.filter(code=scope.region_code).first()
    return region.full_name or region.name if region else (scope.region_code or "")


def _in_force(request: HttpRequest) -> tuple[str, list[dict]]:
    """The lines that apply to the user's province (national ones for a national scope),
    year by year, by the year rule: what every check uses."""
    scope = request.scope
    province = "" if scope.is_national else rules.province_of(scope.region_code)
    last = max(
        timezone.localdate().year,
        services_standards.visible_standards(scope)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
        or 0,
    )
    rows = []
    for year in range(last, FIRST_YEAR - 1, -1):
        standard = rules.standard_for(year, province)
        rows.append(
            {
                "year": year,
                "poverty": rules.line_for(rules.POVERTY_LINE, year, province),
                "monitoring": rules.line_for(rules.MONITORING_LINE, year, province),
                "standard": standard,
            }
        )
    return rules.province_name(province), rows


@require_GET
@require_perm(Perm.VIEW)
def standard_list(request: HttpRequest) -> HttpResponse:
    """The lines set, by year, and the lines in force for the user's province."""
    scope = request.scope
    standards = list(services_standards.visible_standards(scope).order_by("-year", "region_code"))
    names = region_names(s.region_code for s in standards if s.region_code)
    rows = [
        {
            "standard": standard,
            "region": names.get(standard.region_code, standard.region_code),
            "editable": services_standards.may_set_lines(scope, standard.region_code),
        }
        for standard in standards
    ]
    province_name, in_force = _in_force(request)
    context = {
        "rows": rows,
        "in_force": in_force,
        "province_name": province_name,
        "scope_label": _scope_label(request),
        "settable": services_standards.settable_regions(scope),
    }
    return render(request, "registry/outcomes/standard_list.html", context)


def _save_standard(request: HttpRequest, form: StandardForm, standard=None) -> HttpResponse | None:
    data = form.cleaned_data
    try:
        saved = services_standards.do_save_standard(
            request.scope,
            standard,
            region_code=data.get("region_code") or NATIONAL,
            year=data.get("year"),
            **form.values(),
        )
    except RegistryError as error:
        apply_error(form, error)
        return None
    messages.success(request, _("The lines of %(year)s are saved.") % {"year": saved.year})
    return redirect("registry:standard_list")


@require_http_methods(["GET", "POST"])
@require_perm(Perm.VIEW)
def standard_create(request: HttpRequest) -> HttpResponse:
    regions = services_standards.settable_regions(request.scope)
    if not regions:
        raise PermissionDenied
    form = StandardForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        response = _save_standard(request, form)
        if response is not None:
            return response
    return render(request, "registry/outcomes/standard_form.html", {"form": form, "standard": None})


@require_http_methods(["GET", "POST"])
@require_perm(Perm.VIEW)
def standard_edit(request: HttpRequest, pk: int) -> HttpResponse:
    standard = services_standards.get_visible_standard(request.scope, pk=pk)
    if not services_standards.may_set_lines(request.scope, standard.region_code):
        raise PermissionDenied
    name = rules.province_name(standard.region_code) or _("National")
    initial = {
        "region_code": standard.region_code,
        "year": standard.year,
        "poverty_line": standard.poverty_line,
        "monitoring_line": standard.monitoring_line,
        "village_incidence_limit": standard.village_incidence_limit,
        "western_incidence_limit": standard.western_incidence_limit,
        "source": standard.source,
    }
    form = StandardForm(
        request.POST or None,
        initial=initial,
        regions=[(standard.region_code, name)],
        fixed=True,
    )
    if request.method == "POST" and form.is_valid():
        response = _save_standard(request, form, standard)
        if response is not None:
            return response
    return render(
        request, "registry/outcomes/standard_form.html", {"form": form, "standard": standard}
    )


# --- village populations ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@require_perm(Perm.VIEW)
def village_populations(request: HttpRequest, code: str) -> HttpResponse:
    """The rural population of the county's villages in scope for `?year=`; an editor
    records them, all or nothing."""
    county = _county(request, code)
    year = _year(request, _readiness_year(county.code))
    if request.method == "POST" and not _can_edit(request):
        raise PermissionDenied
    villages = list(
        scoped(Region.objects.villages().within(county.code), request.scope).order_by("code")
    )
    own = dict(
        VillagePopulation.objects.filter(village__in=villages, year=year).values_list(
            "village_id", "population"
        )
    )
    initial = {f"population-{code}": people for code, people in own.items()}
    form = PopulationsForm(
        request.POST or None,
        initial=initial,
        villages=villages if _can_edit(request) else (),
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = services_standards.do_set_village_populations(
                request.scope, year, form.populations(), form.cleaned_data["source"]
            )
        except RegistryError as error:
            apply_error(form, error, {error.field: f"population-{error.field}"})
        else:
            messages.success(
                request,
                _("%(count)s villages' populations of %(year)s are saved.")
                % {"count": changed, "year": year},
            )
            return redirect(f"{request.path}?year={year}")
    applied = rules.populations_within(county.code, year)
    rows = [
        {
            "village": village,
            "field": form[f"population-{village.code}"] if _can_edit(request) else None,
            "population": applied.get(village.code),
        }
        for village in villages
    ]
    context = {
        "county": county,
        "year": year,
        "form": form,
        "rows": rows,
        "recorded": sum(1 for row in rows if row["population"] is not None),
        "can_edit": _can_edit(request),
    }
    return render(request, "registry/outcomes/village_populations.html", context)
