"""The incentive ranking and the decisions taken from it, in the cadres API (mounted
under /api/cadres/). The ranking is computed over the caller's scope (see `services.ranking`);
a decision recorded here freezes the cadre's entry in that ranking as its basis.
Disciplinary flags only for roles with VIEW_DISCIPLINE."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from baolei.accounts.permissions import Perm
from baolei.accounts.scope import get_in_scope, scoped
from baolei.bounds import Count, Limit, Weight
from baolei.cadres import choices
from baolei.cadres.api.common import (
    ErrorOut,
    StrictSchema,
    check_region,
    refusal,
    require,
    value_of,
)
from baolei.cadres.models import Cadre
from baolei.cadres.services import cadres as services
from baolei.cadres.services import ranking
from baolei.cadres.services.achievements import Period

router = Router(tags=["cadres"])


class TermOut(Schema):
    key: str
    count: Decimal
    counted: Decimal
    weight: Decimal
    points: Decimal


class RankingEntryOut(Schema):
    rank: int
    cadre_id: int
    name: str
    unit: str
    score: Decimal
    assessment_year: int | None
    terms: list[TermOut]
    sanction_in_effect: bool | None = None


class RankingOut(Schema):
    period_start: datetime.date
    period_end: datetime.date
    weights: dict[str, str]
    count: int
    items: list[RankingEntryOut]


class RankingIn(Schema):
    region: str | None = None
    unit: str | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None
    lifted: Weight | None = None
    risk_eliminated: Weight | None = None
    project: Weight | None = None
    visit: Weight | None = None
    visit_cap: Count | None = None
    other: Weight | None = None
    assessment: Weight | None = None
    limit: Limit = 100


class DecisionOut(Schema):
    id: int
    kind: str
    decided_on: datetime.date
    decided_by: str
    basis: dict
    note: str


class IncentiveDecisionIn(StrictSchema):
    kind: choices.IncentiveKind
    decided_on: datetime.date
    decided_by: str
    note: str = ""
    start: datetime.date | None = Field(None, description="The ranking's period (default).")
    end: datetime.date | None = None


# --- the ranking ---------------------------------------------------------------------------


@router.get("/ranking", response=RankingOut, summary="Cadres in scope ranked for incentives")
def get_ranking(request: HttpRequest, params: Query[RankingIn]):
    scope = require(request, Perm.VIEW)
    check_region(scope, params.region)
    default = ranking.default_period()
    period = Period(params.start or default.start, params.end or default.end)
    if period.start > period.end:
        raise HttpError(422, "The period must start before it ends.")
    given = {
        name: getattr(params, name)
        for name in ranking.Weights.names()
        if getattr(params, name) is not None
    }
    weights = ranking.Weights(**given)
    cadres = services.filter_cadres(
        scoped(Cadre.objects.all(), scope),
        services.CadreFilters(region=params.region, unit=params.unit),
    )
    entries = ranking.rank(cadres, period, weights)
    shown = entries[: params.limit]
    flagged: set[int] = set()
    sees = scope.can(Perm.VIEW_DISCIPLINE)
    if sees:
        flagged = set(
            services.with_discipline_flag(Cadre.objects.filter(pk__in=[e.cadre.pk for e in shown]))
            .filter(has_discipline=True)
            .values_list("pk", flat=True)
        )
    return {
        "period_start": period.start,
        "period_end": period.end,
        "weights": weights.as_json(),
        "count": len(entries),
        "items": [
            {
                "rank": entry.rank,
                "cadre_id": entry.cadre.pk,
                "name": entry.cadre.person.name,
                "unit": entry.cadre.unit,
                "score": entry.score,
                "assessment_year": entry.assessment_year,
                "terms": [term.as_json() for term in entry.terms],
                "sanction_in_effect": (entry.cadre.pk in flagged) if sees else None,
            }
            for entry in shown
        ],
    }


# --- decisions -------------------------------------------------------------------------------


@router.get(
    "/cadres/{pk}/decisions",
    response=list[DecisionOut],
    summary="A cadre's incentive decisions, each with the basis it was taken on",
)
def list_decisions(request: HttpRequest, pk: int):
    require(request, Perm.VIEW)
    cadre = get_in_scope(Cadre.objects.all(), request.scope, pk=pk)
    return list(cadre.incentive_decisions.order_by("-decided_on", "-id"))


@router.post(
    "/cadres/{pk}/decisions",
    response={201: DecisionOut, 422: ErrorOut},
    summary="Record a decision; its basis is the cadre's entry in the ranking of the scope",
)
def record_decision(request: HttpRequest, pk: int, payload: IncentiveDecisionIn):
    scope = require(request, Perm.MANAGE_CADRES)
    cadre = get_in_scope(Cadre.objects.all(), scope, pk=pk)
    default = ranking.default_period()
    period = Period(payload.start or default.start, payload.end or default.end)
    if period.start > period.end:
        raise HttpError(422, "The period must start before it ends.")
    weights = ranking.Weights()
    entry = ranking.entry_for(cadre, scoped(Cadre.objects.all(), scope), period, weights)
    try:
        decision = services.do_record_decision(
            request.user,
            cadre,
            kind=value_of(payload.kind),
            decided_on=payload.decided_on,
            decided_by=payload.decided_by,
            note=payload.note,
            basis=entry.basis(weights, period),
        )
    except services.CadreError as error:
        return refusal(error)
    return Status(201, decision)
