"""The cadres API under /api/cadres/: cadre records, their achievements (computed and
entered), assessments, disciplinary records, the incentive ranking and the village
leader pool. The teams part (work teams, attendance, matching) is in `teams`.

Scoped like the pages: a record outside the caller's scope answers 404, lists hold only
the scope's records, a missing permission 403, a refusal of the services 422 with the
field at fault. ID numbers are masked unless the role may see personal data; disciplinary
records, and whether a cadre has any, are given only to roles with VIEW_DISCIPLINE. The
leader pool is in `api.leaders`, the ranking and decisions in `api.incentives`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from baolei.accounts.permissions import Perm
from baolei.accounts.scope import Scope, get_in_scope, scoped
from baolei.bounds import Limit, Offset, PastYear, Score
from baolei.cadres import choices
from baolei.cadres.api.common import (
    ErrorOut,
    StrictSchema,
    check_region,
    payload_values,
    refusal,
    require,
    value_of,
)
from baolei.cadres.models import Achievement, Cadre
from baolei.cadres.services import cadres as services
from baolei.cadres.services import ranking
from baolei.cadres.services.achievements import Period, computed_for
from baolei.registry.models import Household
from baolei.registry.services import shown_id_number

router = Router(tags=["cadres"])


# --- schemas -----------------------------------------------------------------------------


class CadreOut(Schema):
    id: int
    version: int
    name: str
    id_number: str = Field(description="Masked unless the role may see personal data.")
    region_code: str
    unit: str
    post: str
    rank: str
    political_status: str
    education: str
    specialities: str
    work_started_on: datetime.date | None
    years_of_experience: int | None
    helper_id: int | None = Field(description="The register's responsible helper record.")
    sanction_in_effect: bool | None = Field(
        None, description="A measure in effect today; null unless the role may see discipline."
    )


class CadrePageOut(Schema):
    items: list[CadreOut]
    count: int
    offset: int
    limit: int


class CadreFieldsIn(StrictSchema):
    region_code: str | None = None
    unit: str | None = None
    post: str | None = None
    rank: choices.Rank | None = None
    political_status: choices.PoliticalStatus | None = None
    education: choices.Education | None = None
    specialities: str | None = None
    work_started_on: datetime.date | None = None


class CadreCreateIn(StrictSchema):
    id_number: str
    name: str
    region_code: str
    unit: str
    rank: choices.Rank
    political_status: choices.PoliticalStatus
    education: choices.Education
    post: str = ""
    specialities: str = ""
    work_started_on: datetime.date | None = None
    phone: str = ""


class AchievementOut(Schema):
    kind: str
    on: datetime.date
    village_code: str
    household_id: int | None
    household_number: str | None
    computed: bool = Field(description="Computed from the register (true) or entered (false).")
    source: str = Field(description="status_change, monitoring_case, visit or achievement.")
    source_id: int
    title: str
    quantity: int
    evidence: str


class AchievementIn(StrictSchema):
    kind: choices.AchievementKind
    region_code: str = Field(description="The village (12-digit code).")
    achieved_on: datetime.date
    title: str
    evidence: str
    quantity: int = Field(1, ge=1, le=10_000)
    household_number: str | None = None


class AssessmentOut(Schema):
    year: int
    score: Decimal
    grade: str
    note: str


class AssessmentIn(StrictSchema):
    score: Score
    grade: choices.Grade
    note: str = ""


class DisciplineOut(Schema):
    id: int
    kind: str
    decided_on: datetime.date
    ends_on: datetime.date | None
    authority: str
    description: str


# --- helpers -----------------------------------------------------------------------------


def _cadre(request: HttpRequest, pk: int) -> Cadre:
    return get_in_scope(Cadre.objects.select_related("person"), request.scope, pk=pk)


def _cadre_out(scope: Scope, cadre: Cadre) -> dict:
    sees = scope.can(Perm.VIEW_DISCIPLINE)
    return {
        "id": cadre.pk,
        "version": cadre.version,
        "name": cadre.person.name,
        "id_number": shown_id_number(scope, cadre.person.id_number),
        "region_code": cadre.region_code,
        "unit": cadre.unit,
        "post": cadre.post,
        "rank": cadre.rank,
        "political_status": cadre.political_status,
        "education": cadre.education,
        "specialities": cadre.specialities,
        "work_started_on": cadre.work_started_on,
        "years_of_experience": cadre.years_of_experience(),
        "helper_id": cadre.helper_id,
        "sanction_in_effect": (
            cadre.disciplinary_records.filter(services.in_effect()).exists() if sees else None
        ),
    }


# --- cadres --------------------------------------------------------------------------------


@router.get("/cadres", response=CadrePageOut, summary="Cadres in scope, filtered")
def list_cadres(
    request: HttpRequest,
    region: str | None = None,
    unit: str | None = None,
    rank: choices.Rank | None = None,
    political_status: choices.PoliticalStatus | None = None,
    q: str | None = None,
    offset: Offset = 0,
    limit: Limit = 100,
):
    scope = require(request, Perm.VIEW)
    check_region(scope, region)
    cadres = services.filter_cadres(
        scoped(Cadre.objects.select_related("person"), scope),
        services.CadreFilters(
            region=region,
            unit=unit,
            rank=value_of(rank),
            political_status=value_of(political_status),
            search=q,
        ),
    ).order_by("region_code", "person__name", "pk")
    items = cadres[offset : offset + limit]
    return {
        "items": [_cadre_out(scope, cadre) for cadre in items],
        "count": cadres.count(),
        "offset": offset,
        "limit": limit,
    }


@router.post("/cadres", response={201: CadreOut, 422: ErrorOut}, summary="Add a cadre record")
def create_cadre(request: HttpRequest, payload: CadreCreateIn):
    scope = require(request, Perm.MANAGE_CADRES)
    data = payload_values(payload)
    try:
        cadre = services.do_create_cadre(request.user, **data)
    except services.CadreError as error:
        return refusal(error)
    return Status(201, _cadre_out(scope, cadre))


@router.get("/cadres/{pk}", response=CadreOut, summary="One cadre record")
def get_cadre(request: HttpRequest, pk: int):
    scope = require(request, Perm.VIEW)
    return _cadre_out(scope, _cadre(request, pk))


class CadrePatchIn(CadreFieldsIn):
    version: int | None = Field(
        None,
        ge=1,
        description="The version the change starts from (as last read); a change made "
        "since refuses this one (422, code stale). Omitted: no check.",
    )


@router.patch(
    "/cadres/{pk}", response={200: CadreOut, 422: ErrorOut}, summary="Change a cadre record"
)
def update_cadre(request: HttpRequest, pk: int, payload: CadrePatchIn):
    scope = require(request, Perm.MANAGE_CADRES)
    cadre = _cadre(request, pk)
    fields = payload_values(payload, exclude_unset=True)
    expected_version = fields.pop("version", None)
    fields = {
        name: ("" if value is None and name not in ("work_started_on",) else value)
        for name, value in fields.items()
    }
    try:
        services.do_update_cadre(request.user, cadre, expected_version=expected_version, **fields)
    except services.CadreError as error:
        return refusal(error)
    return Status(200, _cadre_out(scope, _cadre(request, pk)))


# --- achievements, assessments, discipline -----------------------------------------------


def _entered_out(item: Achievement) -> dict:
    """An entered achievement as `AchievementOut` (its household fetched with it)."""
    return {
        "kind": item.kind,
        "on": item.achieved_on,
        "village_code": item.region_code,
        "household_id": item.household_id,
        "household_number": item.household.number if item.household else None,
        "computed": False,
        "source": "achievement",
        "source_id": item.pk,
        "title": item.title,
        "quantity": item.quantity,
        "evidence": item.evidence,
    }


@router.get(
    "/cadres/{pk}/achievements",
    response=list[AchievementOut],
    summary="A cadre's achievements: computed from the register and entered with evidence",
)
def list_achievements(
    request: HttpRequest,
    pk: int,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
):
    scope = require(request, Perm.VIEW)
    cadre = _cadre(request, pk)
    default = ranking.default_period()
    period = Period(start or default.start, end or default.end)
    households = scoped(Household.objects.all(), scope)
    rows = [
        {
            "kind": row.kind,
            "on": row.on,
            "village_code": row.village_code,
            "household_id": row.household_id,
            "household_number": row.household_number,
            "computed": True,
            "source": row.source,
            "source_id": row.source_id,
            "title": "",
            "quantity": 1,
            "evidence": row.detail,
        }
        for row in computed_for(cadre, period, households)
    ]
    entered = (
        scoped(cadre.achievements.all(), scope)
        .filter(achieved_on__range=(period.start, period.end))
        .select_related("household")
    )
    rows += [_entered_out(item) for item in entered]
    rows.sort(key=lambda row: (row["on"], row["source"], row["source_id"]), reverse=True)
    return rows


@router.post(
    "/cadres/{pk}/achievements",
    response={201: AchievementOut, 422: ErrorOut},
    summary="Enter an achievement with its evidence (projects and other achievements only)",
)
def add_achievement(request: HttpRequest, pk: int, payload: AchievementIn):
    scope = require(request, Perm.MANAGE_CADRES)
    cadre = _cadre(request, pk)
    household = None
    if payload.household_number:
        household = (
            scoped(Household.objects.all(), scope).filter(number=payload.household_number).first()
        )
        if household is None:
            return Status(
                422,
                {
                    "detail": "There is no household with this number in your scope.",
                    "code": "unknown_household",
                    "field": "household_number",
                },
            )
    try:
        item = services.do_add_achievement(
            request.user,
            cadre,
            kind=value_of(payload.kind),
            region_code=payload.region_code,
            achieved_on=payload.achieved_on,
            title=payload.title,
            evidence=payload.evidence,
            quantity=payload.quantity,
            household=household,
        )
    except services.CadreError as error:
        return refusal(error)
    return Status(201, _entered_out(item))


@router.get("/cadres/{pk}/assessments", response=list[AssessmentOut], summary="Assessments")
def list_assessments(request: HttpRequest, pk: int):
    require(request, Perm.VIEW)
    return list(_cadre(request, pk).assessments.order_by("-year"))


@router.put(
    "/cadres/{pk}/assessments/{year}",
    response={200: AssessmentOut, 422: ErrorOut},
    summary="Write the assessment of a year",
)
def put_assessment(request: HttpRequest, pk: int, year: PastYear, payload: AssessmentIn):
    require(request, Perm.MANAGE_CADRES)
    cadre = _cadre(request, pk)
    try:
        assessment = services.do_save_assessment(
            request.user,
            cadre,
            year,
            score=payload.score,
            grade=value_of(payload.grade),
            note=payload.note,
        )
    except services.CadreError as error:
        return refusal(error)
    return Status(200, assessment)


@router.get(
    "/cadres/{pk}/disciplinary-records",
    response=list[DisciplineOut],
    summary="A cadre's disciplinary records (VIEW_DISCIPLINE only)",
)
def list_discipline(request: HttpRequest, pk: int):
    require(request, Perm.VIEW)
    cadre = _cadre(request, pk)
    require(request, Perm.VIEW_DISCIPLINE)
    return list(cadre.disciplinary_records.order_by("-decided_on", "-id"))
