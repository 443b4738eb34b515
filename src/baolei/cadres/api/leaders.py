"""The village leader pool in the cadres API (mounted under /api/cadres/): the pool in
scope, counts per village and source, a person's record and development steps.
Scoped like the pages: outside the scope is 404, a missing permission 403, a refusal 422."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from baolei.accounts.permissions import Perm
from baolei.accounts.scope import Scope, get_in_scope, scoped
from baolei.bounds import Limit, Offset
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
from baolei.cadres.models import LeaderCandidate
from baolei.cadres.services import cadres as services
from baolei.cadres.services import leaders
from baolei.regions import codes
from baolei.registry.services import shown_id_number

router = Router(tags=["cadres"])


class LeaderStepOut(Schema):
    step: str
    done_on: datetime.date
    note: str


class LeaderOut(Schema):
    id: int
    name: str
    id_number: str
    region_code: str
    category: str
    source: str
    party_member: bool
    education: str
    occupation: str
    steps: list[LeaderStepOut]


class LeaderIn(StrictSchema):
    id_number: str
    name: str
    region_code: str = Field(description="The village (12-digit code).")
    source: choices.LeaderSource
    education: choices.Education
    category: choices.LeaderCategory = choices.LeaderCategory.RESERVE
    party_member: bool = False
    occupation: str = ""
    note: str = ""
    identified_on: datetime.date | None = None


class LeaderStepIn(StrictSchema):
    step: choices.DevelopmentStep
    done_on: datetime.date
    note: str = ""


class LeaderCountOut(Schema):
    region_code: str
    counts: dict[str, int]
    total: int


# --- the leader pool -----------------------------------------------------------------------


def _leader_out(scope: Scope, candidate: LeaderCandidate) -> dict:
    return {
        "id": candidate.pk,
        "name": candidate.person.name,
        "id_number": shown_id_number(scope, candidate.person.id_number),
        "region_code": candidate.region_code,
        "category": candidate.category,
        "source": candidate.source,
        "party_member": candidate.party_member,
        "education": candidate.education,
        "occupation": candidate.occupation,
        "steps": list(candidate.steps.order_by("done_on", "id")),
    }


def _leader(request: HttpRequest, pk: int) -> LeaderCandidate:
    return get_in_scope(LeaderCandidate.objects.select_related("person"), request.scope, pk=pk)


@router.get("/leaders", response=list[LeaderOut], summary="The village leader pool in scope")
def list_leaders(
    request: HttpRequest,
    region: str | None = None,
    source: choices.LeaderSource | None = None,
    category: choices.LeaderCategory | None = None,
    offset: Offset = 0,
    limit: Limit = 100,
):
    scope = require(request, Perm.VIEW)
    check_region(scope, region)
    candidates = scoped(LeaderCandidate.objects.select_related("person"), scope)
    if region:
        candidates = candidates.filter(codes.within("region_code", region))
    if source:
        candidates = candidates.filter(source=value_of(source))
    if category:
        candidates = candidates.filter(category=value_of(category))
    candidates = candidates.prefetch_related("steps").order_by("region_code", "person__name", "pk")
    return [_leader_out(scope, candidate) for candidate in candidates[offset : offset + limit]]


@router.get(
    "/leaders/counts",
    response=list[LeaderCountOut],
    summary="The leader pool counted per village and source",
)
def leader_counts(request: HttpRequest, region: str | None = None):
    scope = require(request, Perm.VIEW)
    check_region(scope, region)
    candidates = scoped(LeaderCandidate.objects.all(), scope)
    if region:
        candidates = candidates.filter(codes.within("region_code", region))
    return [
        {
            "region_code": row["region_code"],
            "counts": {source: row[source] for source in choices.LeaderSource.values},
            "total": row["total"],
        }
        for row in leaders.counts_by_region(candidates)
    ]


@router.post(
    "/leaders", response={201: LeaderOut, 422: ErrorOut}, summary="Add a person to the pool"
)
def create_leader(request: HttpRequest, payload: LeaderIn):
    scope = require(request, Perm.MANAGE_CADRES)
    data = payload_values(payload)
    try:
        candidate = leaders.do_add_candidate(request.user, **data)
    except services.CadreError as error:
        return refusal(error)
    return Status(201, _leader_out(scope, candidate))


@router.get("/leaders/{pk}", response=LeaderOut, summary="One person of the pool")
def get_leader(request: HttpRequest, pk: int):
    scope = require(request, Perm.VIEW)
    return _leader_out(scope, _leader(request, pk))


@router.post(
    "/leaders/{pk}/steps",
    response={201: LeaderStepOut, 422: ErrorOut},
    summary="Record a step of a candidate's development",
)
def add_step(request: HttpRequest, pk: int, payload: LeaderStepIn):
    require(request, Perm.MANAGE_CADRES)
    candidate = _leader(request, pk)
    try:
        step = leaders.do_add_step(
            request.user,
            candidate,
            step=value_of(payload.step),
            done_on=payload.done_on,
            note=payload.note,
        )
    except services.CadreError as error:
        return refusal(error)
    return Status(201, step)
