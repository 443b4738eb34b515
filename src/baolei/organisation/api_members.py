"""The API of party members and the two committees, under /api/organisation/ beside the
organisations (see `api`, whose conventions and helpers it shares)."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from baolei.accounts.permissions import Perm
from baolei.accounts.scope import Scope, get_in_scope, scoped
from baolei.organisation import committees, services, services_committees, services_members
from baolei.organisation.api_common import (
    ErrorOut,
    ListFilters,
    RegionQuery,
    StrictSchema,
    in_scope,
    refusal,
    region_filter,
    require,
    value_of,
    within,
)
from baolei.organisation.choices import (
    CommitteePostKind,
    HolderSource,
    MemberCategory,
    MemberStanding,
)
from baolei.organisation.models import PartyMember, PartyOrganisation
from baolei.regions.models import Level, Region
from baolei.registry.choices import Education
from baolei.registry.services import shown_id_number

router = Router(tags=["organisation"])


class MemberOut(Schema):
    id: int
    person_id: int
    name: str
    id_number: str = Field(description="Masked unless the role may see personal data.")
    sex: str
    branch_id: int
    branch_name: str
    joined_on: datetime.date
    standing: str
    category: str
    posts: str


class MemberIn(StrictSchema):
    id_number: str
    name: str
    branch_id: int
    joined_on: datetime.date
    standing: MemberStanding = MemberStanding.FULL
    category: MemberCategory = MemberCategory.RESIDENT
    posts: str = ""


class TransferIn(StrictSchema):
    to_branch_id: int
    transferred_on: datetime.date
    reason: str


class TransferOut(Schema):
    id: int
    from_branch_id: int
    to_branch_id: int
    transferred_on: datetime.date
    reason: str


class PostOut(Schema):
    id: int
    region_code: str
    kind: str
    name: str
    id_number: str
    sex: str
    education: str
    source: str
    started_on: datetime.date
    ended_on: datetime.date | None


class PostIn(StrictSchema):
    kind: CommitteePostKind
    id_number: str
    name: str
    started_on: datetime.date
    ended_on: datetime.date | None = None
    education: Education | None = None
    source: HolderSource = HolderSource.OTHER


class SourceShareOut(Schema):
    source: str
    secretaries: int
    percent: float | None = Field(description="Of the secretaries; null when there are none.")


class CompositionOut(Schema):
    code: str
    name: str
    villages: int
    holders: int
    age_bands: dict[str, int]
    college: int
    women: int
    party_members: int
    one_shoulder_villages: int
    secretaries: int
    secretaries_recommended: int
    secretaries_by_source: list[SourceShareOut]


def _member_out(scope: Scope, member: PartyMember) -> dict:
    person = member.person
    return {
        "id": member.pk,
        "person_id": person.pk,
        "name": person.name,
        "id_number": shown_id_number(scope, person.id_number),
        "sex": person.sex,
        "branch_id": member.branch_id,
        "branch_name": member.branch.name,
        "joined_on": member.joined_on,
        "standing": member.standing,
        "category": member.category,
        "posts": member.posts,
    }


def _members(scope: Scope):
    return scoped(PartyMember.objects.select_related("person", "branch"), scope)


def _post_out(scope: Scope, post) -> dict:
    return {
        "id": post.pk,
        "region_code": post.region_code,
        "kind": post.kind,
        "name": post.person.name,
        "id_number": shown_id_number(scope, post.person.id_number),
        "sex": post.person.sex,
        "education": post.education,
        "source": post.source,
        "started_on": post.started_on,
        "ended_on": post.ended_on,
    }


# --- members -----------------------------------------------------------------------------


@router.get("/members", response=list[MemberOut], summary="Party members in scope")
def list_members(request: HttpRequest, filters: Query[ListFilters]):
    scope = require(request, Perm.VIEW)
    region = region_filter(scope, filters.region)
    members = within(_members(scope), "branch__region_code", region)
    page = members.order_by("branch__region_code", "person__name", "pk")[
        filters.offset : filters.offset + filters.limit
    ]
    return [_member_out(scope, member) for member in page]


@router.post("/members", response={201: MemberOut, 422: ErrorOut}, summary="New party member")
def create_member(request: HttpRequest, payload: MemberIn):
    scope = require(request, Perm.EDIT_ORGANISATION)
    try:
        branch = in_scope(scope, PartyOrganisation.objects.all(), payload.branch_id, "branch_id")
        member = services_members.do_create_member(
            request.user,
            id_number=payload.id_number,
            name=payload.name,
            branch=branch,
            joined_on=payload.joined_on,
            standing=value_of(payload.standing),
            category=value_of(payload.category),
            posts=payload.posts,
        )
    except services.OrganisationError as error:
        return refusal(error)
    return Status(201, _member_out(scope, _members(scope).get(pk=member.pk)))


@router.get("/members/{pk}", response=MemberOut, summary="One party member")
def get_member(request: HttpRequest, pk: int):
    scope = require(request, Perm.VIEW)
    return _member_out(scope, get_in_scope(_members(scope), scope, pk=pk))


@router.post(
    "/members/{pk}/transfer",
    response={201: TransferOut, 422: ErrorOut},
    summary="Transfer the member to another branch",
)
def transfer_member(request: HttpRequest, pk: int, payload: TransferIn):
    scope = require(request, Perm.EDIT_ORGANISATION)
    member = get_in_scope(_members(scope), scope, pk=pk)
    try:
        to_branch = in_scope(
            scope, PartyOrganisation.objects.all(), payload.to_branch_id, "to_branch_id"
        )
        transfer = services_members.do_transfer_member(
            request.user, member, to_branch, payload.transferred_on, payload.reason
        )
    except services.OrganisationError as error:
        return refusal(error)
    return Status(
        201,
        {
            "id": transfer.pk,
            "from_branch_id": transfer.from_branch_id,
            "to_branch_id": transfer.to_branch_id,
            "transferred_on": transfer.transferred_on,
            "reason": transfer.reason,
        },
    )


# --- two committees ----------------------------------------------------------------------


def _village(scope: Scope, code: str) -> Region:
    return get_in_scope(Region.objects.filter(level=Level.VILLAGE), scope, code=code)


@router.get(
    "/committees/{code}/posts",
    response=list[PostOut],
    summary="A village's two-committee posts, current and past",
)
def list_posts(request: HttpRequest, code: str):
    scope = require(request, Perm.VIEW)
    village = _village(scope, code)
    posts = committees.village_posts(village.code, timezone.localdate())
    return [_post_out(scope, post) for post in posts]


@router.post(
    "/committees/{code}/posts",
    response={201: PostOut, 422: ErrorOut},
    summary="A person takes a post of the village's two committees",
)
def create_post(request: HttpRequest, code: str, payload: PostIn):
    scope = require(request, Perm.EDIT_ORGANISATION)
    village = _village(scope, code)
    try:
        post = services_committees.do_appoint_committee_post(
            request.user,
            region_code=village.code,
            kind=value_of(payload.kind),
            id_number=payload.id_number,
            name=payload.name,
            started_on=payload.started_on,
            ended_on=payload.ended_on,
            education=value_of(payload.education) or "",
            source=value_of(payload.source),
        )
    except services.OrganisationError as error:
        return refusal(error)
    return Status(201, _post_out(scope, post))


@router.get(
    "/committees/composition",
    response=list[CompositionOut],
    summary="Two-committee indicators of a region (first) and of the regions below it",
)
def get_composition(request: HttpRequest, query: Query[RegionQuery]):
    scope = require(request, Perm.VIEW)
    region = region_filter(scope, query.region) or scope.region_code
    table = committees.composition(scope, region, timezone.localdate())
    labels = ("35_or_under", "36_to_50", "51_to_60", "over_60")
    return [
        {
            "code": row.code,
            "name": row.name,
            "villages": row.villages,
            "holders": row.holders,
            "age_bands": dict(zip(labels, row.ages, strict=True)),
            "college": row.college,
            "women": row.women,
            "party_members": row.party_members,
            "one_shoulder_villages": row.one_shoulder,
            "secretaries": row.secretaries,
            "secretaries_recommended": row.recommended,
            "secretaries_by_source": [
                {
                    "source": share.source.value,
                    "secretaries": share.rate.part,
                    "percent": share.rate.percent,
                }
                for share in row.source_rates
            ],
        }
        for row in [table.total, *table.rows]
    ]
