"""The annual lines and the villages' rural populations in the API (under /api/registry/).

Lines are read, not written, here: the lines set (national and the caller's province, all
for a national scope) and the lines that apply to a region in scope for a year, by the
year rule of `services.rules` (own province, else national, else carried forward). Populations
are read for a region in scope and written per village and year by whoever may edit the
registry there. A region outside the scope answers 404.
"""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import ConfigDict

from baolei.accounts.permissions import Perm
from baolei.accounts.scope import Scope, get_in_scope
from baolei.bounds import PositiveCount, Year
from baolei.pages import region_names
from baolei.regions.models import Level, Region
from baolei.registry.models import VillagePopulation
from baolei.registry.services import rules
from baolei.registry.services import standards as services_standards
from baolei.registry.services.people import RegistryError

router = Router(tags=["registry"])


class ErrorOut(Schema):
    detail: str
    code: str
    field: str | None = None


class StandardOut(Schema):
    id: int
    region_code: str = Field(description="The province that set the lines; empty: national.")
    region_name: str
    year: int
    poverty_line: Decimal | None
    monitoring_line: Decimal | None
    village_incidence_limit: Decimal
    western_incidence_limit: Decimal
    source: str


class LineOut(Schema):
    amount: Decimal
    year: int = Field(description="The year the line was set for.")
    region_code: str = Field(description="The province that set it; empty: national.")
    carried_forward: bool = Field(description="Set for an earlier year and applied to this.")


class LinesOut(Schema):
    region_code: str
    year: int
    poverty_line: LineOut | None
    monitoring_line: LineOut | None
    incidence_limit: Decimal | None = Field(
        description="The village exit limit (%) for the region (western or not)."
    )
    standard_year: int | None = Field(description="The year of the standard the limit is from.")


class PopulationOut(Schema):
    village_code: str
    village_name: str
    year: int = Field(description="The year asked for.")
    recorded_year: int = Field(description="The year the population was recorded for.")
    population: int
    carried_forward: bool
    source: str = ""


class PopulationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    population: PositiveCount = Field(description="Registered (户籍) rural population.")
    source: str = ""


def _require(request: HttpRequest, perm: Perm) -> Scope:
    if not request.scope.can(perm):
        raise HttpError(403, "not allowed")
    return request.scope


def _line(line: rules.Line | None) -> dict | None:
    if line is None:
        return None
    return {
        "amount": line.amount,
        "year": line.year,
        "region_code": line.region_code,
        "carried_forward": line.carried_forward,
    }


@router.get(
    "/standards",
    response=list[StandardOut],
    summary="The lines set: national and of the caller's province (every one for a national scope)",
)
def list_standards(request: HttpRequest, year: Year | None = None):
    scope = _require(request, Perm.VIEW)
    standards = services_standards.visible_standards(scope).order_by("year", "region_code")
    if year is not None:
        standards = standards.filter(year=year)
    standards = list(standards)
    names = region_names(s.region_code for s in standards if s.region_code)
    return [
        {
            "id": s.pk,
            "region_code": s.region_code,
            "region_name": names.get(s.region_code, ""),
            "year": s.year,
            "poverty_line": s.poverty_line,
            "monitoring_line": s.monitoring_line,
            "village_incidence_limit": s.village_incidence_limit,
            "western_incidence_limit": s.western_incidence_limit,
            "source": s.source,
        }
        for s in standards
    ]


@router.get(
    "/standards/lines",
    response=LinesOut,
    summary="The lines that apply to a region in scope in a year (own province, else national, "
    "else the latest earlier line carried forward)",
)
def applicable_lines(
    request: HttpRequest,
    year: Year,
    region: str | None = Query(None, description="A region code in scope; default: the scope's."),
):
    scope = _require(request, Perm.VIEW)
    code = region or scope.region_code or ""
    if code:
        get_in_scope(Region.objects.all(), scope, code=code)
    standard = rules.standard_for(year, code)
    return {
        "region_code": code,
        "year": year,
        "poverty_line": _line(rules.line_for(rules.POVERTY_LINE, year, code)),
        "monitoring_line": _line(rules.line_for(rules.MONITORING_LINE, year, code)),
        "incidence_limit": rules.incidence_limit(standard, code) if standard else None,
        "standard_year": standard.year if standard else None,
    }


@router.get(
    "/populations",
    response=list[PopulationOut],
    summary="The rural population of the villages of a region in scope for a year",
)
def list_populations(
    request: HttpRequest,
    year: Year,
    region: str = Query(..., description="A region code in scope (a county, for instance)."),
):
    scope = _require(request, Perm.VIEW)
    get_in_scope(Region.objects.all(), scope, code=region)
    applied = rules.populations_within(region, year)
    applied = {code: p for code, p in applied.items() if scope.contains(code)}
    names = region_names(applied)
    sources = dict(
        VillagePopulation.objects.filter(
            village_id__in=list(applied), year__in={p.year for p in applied.values()}
        ).values_list("village_id", "source")
    )
    return [
        {
            "village_code": code,
            "village_name": names.get(code, ""),
            "year": year,
            "recorded_year": population.year,
            "population": population.people,
            "carried_forward": population.carried_forward,
            "source": sources.get(code, ""),
        }
        for code, population in sorted(applied.items())
    ]


@router.put(
    "/villages/{code}/populations/{year}",
    response={200: PopulationOut, 422: ErrorOut},
    summary="Record a village's rural population for a year",
)
def put_population(request: HttpRequest, code: str, year: Year, payload: PopulationIn):
    scope = _require(request, Perm.EDIT_REGISTRY)
    village = get_in_scope(Region.objects.filter(level=Level.VILLAGE), scope, code=code)
    try:
        record = services_standards.do_set_village_population(
            scope, village, year, payload.population, payload.source
        )
    except RegistryError as error:
        body = {"detail": str(error.message), "code": error.code, "field": error.field}
        return Status(422, body)
    return Status(
        200,
        {
            "village_code": village.code,
            "village_name": village.name,
            "year": record.year,
            "recorded_year": record.year,
            "population": record.population,
            "carried_forward": False,
            "source": record.source,
        },
    )
