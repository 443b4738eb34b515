"""The API of party members, the households they keep in touch with (党员联户) and the two
committees with their elections, under /api/organisation/ beside the organisations (see
`api`, whose conventions and helpers it shares)."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status

from baolei.accounts.permissions import Perm
from baolei.accounts.scope import Scope, get_in_scope, scoped
from baolei.bounds import Year
from baolei.organisation.api.common import (
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
    ElectionKind,
    HolderSource,
    MemberCategory,
    MemberStanding,
)
from baolei.organisation.models import Election, HouseholdLink, PartyMember, PartyOrganisation
from baolei.organisation.services import committees as services_committees
from baolei.organisation.services import composition as committees
from baolei.organisation.services import members as services_members
from baolei.organisation.services import organisations as services
from baolei.regions.models import Level, Region
from baolei.registry.choices import Education
from baolei.registry.models import Household
from baolei.registry.services import shown_id_number

router = Router(tags=["organisation"])


class PartyMemberOut(Schema):
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


class PartyMemberIn(StrictSchema):
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


class LinkOut(Schema):
    id: int
    member_id: int
    household_id: int
    household_number: str
    village_code: str
    started_on: datetime.date
    ended_on: datetime.date | None


class LinkIn(StrictSchema):
    household_id: int = Field(description="A registry household of the caller's scope.")
    started_on: datetime.date | None = Field(None, description="Default: today.")


class LinkEndIn(StrictSchema):
    ended_on: datetime.date | None = Field(None, description="Default: today.")


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
    election_id: int | None


class PostIn(StrictSchema):
    kind: CommitteePostKind
    id_number: str
    name: str
    started_on: datetime.date
    ended_on: datetime.date | None = None
    education: Education | None = None
    source: HolderSource = HolderSource.OTHER
    election_id: int | None = Field(None, description="An election of the same village.")


class ElectionOut(Schema):
    id: int
    region_code: str
    held_on: datetime.date
    kind: str
    note: str


class ElectionIn(StrictSchema):
    held_on: datetime.date
    kind: ElectionKind = ElectionKind.GENERAL
    note: str = Field("", max_length=200)


class ElectionFilters(ListFilters):
    year: Year | None = Field(None, description="The year the elections were held.")


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
        "election_id": post.election_id,
    }


def _link_out(link: HouseholdLink) -> dict:
    return {
        "id": link.pk,
        "member_id": link.member_id,
        "household_id": link.household_id,
        "household_number": link.household.number,
        "village_code": link.household.village_id,
        "started_on": link.started_on,
        "ended_on": link.ended_on,
    }


def _links(scope: Scope):
    return services_members.links_in_scope(scope).select_related("household")


def _renamed(error: services.OrganisationError, fields: dict[str, str]):
    """The refusal with the service's field named as the request names it."""
    error.field = fields.get(error.field, error.field)
    return refusal(error)


# --- members -----------------------------------------------------------------------------


@router.get("/members", response=list[PartyMemberOut], summary="Party members in scope")
def list_members(request: HttpRequest, filters: Query[ListFilters]):
    scope = require(request, Perm.VIEW)
    region = region_filter(scope, filters.region)
    members = within(_members(scope), "branch__region_code", region)
    page = members.order_by("branch__region_code", "person__name", "pk")[
        filters.offset : filters.offset + filters.limit
    ]
    return [_member_out(scope, member) for member in page]


@router.post("/members", response={201: PartyMemberOut, 422: ErrorOut}, summary="New party member")
def create_member(request: HttpRequest, payload: PartyMemberIn):
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


@router.get("/members/{pk}", response=PartyMemberOut, summary="One party member")
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


# --- 党员联户: the households a member keeps in touch with ------------------------------


@router.get(
    "/members/{pk}/links",
    response=list[LinkOut],
    summary="The households the member keeps in touch with (党员联户), current and past",
)
def list_links(request: HttpRequest, pk: int):
    scope = require(request, Perm.VIEW)
    member = get_in_scope(_members(scope), scope, pk=pk)
    links = _links(scope).filter(member=member).order_by("ended_on", "-started_on", "pk")
    return [_link_out(link) for link in links]


@router.post(
    "/members/{pk}/links",
    response={201: LinkOut, 422: ErrorOut},
    summary="Link the member with a registry household (党员联户)",
)
def create_link(request: HttpRequest, pk: int, payload: LinkIn):
    """The member and the household must both be in the caller's scope: either outside
    it answers 404, as for one that does not exist."""
    scope = require(request, Perm.EDIT_ORGANISATION)
    member = get_in_scope(_members(scope), scope, pk=pk)
    household = get_in_scope(Household.objects.all(), scope, pk=payload.household_id)
    try:
        link = services_members.do_link_household(
            request.user, member, household, payload.started_on
        )
    except services.OrganisationError as error:
        return _renamed(error, {"household": "household_id"})
    return Status(201, _link_out(_links(scope).get(pk=link.pk)))


@router.post(
    "/links/{pk}/end",
    response={200: LinkOut, 422: ErrorOut},
    summary="End a member's link with a household; the link stays in the history",
)
def end_link(request: HttpRequest, pk: int, payload: LinkEndIn):
    scope = require(request, Perm.EDIT_ORGANISATION)
    link = get_in_scope(_links(scope), scope, pk=pk)
    try:
        services_members.do_end_link(request.user, link, payload.ended_on)
    except services.OrganisationError as error:
        return refusal(error)
    return Status(200, _link_out(_links(scope).get(pk=pk)))


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
        election = _election_of(village, payload.election_id)
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
            election=election,
        )
    except services.OrganisationError as error:
        return refusal(error)
    return Status(201, _post_out(scope, post))


def _election_of(village: Region, pk: int | None) -> Election | None:
    """The village's election `pk` (None for none); any other is refused as the service
    refuses an election of another village."""
    if pk is None:
        return None
    election = Election.objects.filter(region_code=village.code, pk=pk).first()
    if election is None:
        raise services.OrganisationError(
            "election_village", _("The election is not this village's."), field="election_id"
        )
    return election


@router.get(
    "/elections",
    response=list[ElectionOut],
    summary="Two-committee elections in scope, by region (a village, a township…) and year",
)
def list_elections(request: HttpRequest, filters: Query[ElectionFilters]):
    scope = require(request, Perm.VIEW)
    region = region_filter(scope, filters.region)
    elections = within(scoped(Election.objects.all(), scope), "region_code", region)
    if filters.year is not None:
        elections = elections.filter(held_on__year=filters.year)
    return list(
        elections.order_by("-held_on", "region_code", "pk")[
            filters.offset : filters.offset + filters.limit
        ]
    )


@router.post(
    "/committees/{code}/elections",
    response={201: ElectionOut, 422: ErrorOut},
    summary="Record an election of the village's two committees",
)
def create_election(request: HttpRequest, code: str, payload: ElectionIn):
    scope = require(request, Perm.EDIT_ORGANISATION)
    village = _village(scope, code)
    try:
        election = services_committees.do_record_election(
            request.user,
            region_code=village.code,
            held_on=payload.held_on,
            kind=value_of(payload.kind),
            note=payload.note,
        )
    except services.OrganisationError as error:
        return refusal(error)
    return Status(201, election)


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
