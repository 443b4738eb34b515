"""Scope checks of the organisation pages and API (see tests/test_every_endpoint_is_scoped.py):
every URL name and API operation of the app is listed here and tried by the
organisation department of 大冶市 against objects of 兴国镇."""

import datetime

from baolei.organisation.models import (
    CommitteePost,
    Election,
    HostEntity,
    HouseholdLink,
    MemberTransfer,
    PartyMember,
    PartyOrganisation,
)
from tests.organisation.factories import (
    CommitteePostFactory,
    HostEntityFactory,
    HouseholdLinkFactory,
    PartyMemberFactory,
    PartyOrganisationFactory,
)
from tests.registry.factories import VILLAGE
from tests.scoping import lacks, status, xlsx_lacks


def things(insider) -> dict:
    entity = HostEntityFactory(name="兴国镇秘密合作社", size=77)
    organisation = PartyOrganisationFactory(name="兴国镇秘密党支部", host_entity=entity)
    member = PartyMemberFactory(branch=organisation, person__name="兴国镇秘密党员")
    link = HouseholdLinkFactory(member=member)
    post = CommitteePostFactory(person__name="兴国镇秘密书记")
    election = Election.objects.create(
        region_code=VILLAGE, held_on=datetime.date(2021, 3, 20), note="兴国镇秘密选举"
    )
    return {
        "entity": entity,
        "organisation": organisation,
        "member": member,
        "link": link,
        "post": post,
        "election": election,
    }


def _unchanged(things: dict):
    """A post by the outsider answered 404 and changed nothing."""

    def check(response):
        assert response.status_code == 404, response.status_code
        organisation = PartyOrganisation.objects.get(pk=things["organisation"].pk)
        assert organisation.name == "兴国镇秘密党支部" and organisation.status == "active"
        assert HostEntity.objects.get(pk=things["entity"].pk).size == 77
        member = PartyMember.objects.get(pk=things["member"].pk)
        assert member.branch_id == organisation.pk and not MemberTransfer.objects.exists()
        assert CommitteePost.objects.get(pk=things["post"].pk).ended_on is None
        assert HouseholdLink.objects.get(pk=things["link"].pk).ended_on is None
        assert HouseholdLink.objects.filter(member=member).count() == 1
        assert list(Election.objects.values_list("pk", flat=True)) == [things["election"].pk]

    return check


def _creates_nothing(model, **lookup):
    def check(response):
        assert response.status_code in (200, 404, 422), response.status_code
        assert not model.objects.filter(**lookup).exists()

    return check


def page_checks(things: dict) -> list:
    o, e, m = things["organisation"], things["entity"], things["member"]
    link, post = things["link"], things["post"]
    unchanged = _unchanged(things)
    not_found = status(404)
    return [
        ("organisation:index", "get", "/organisation/", lacks("兴国镇秘密")),
        ("organisation:organisation_list", "get", "/organisation/organisations/", lacks(o.name)),
        (
            "organisation:organisation_list",
            "get",
            f"/organisation/organisations/?q={o.name}",
            lacks(f"/organisation/organisations/{o.pk}/"),
        ),
        (
            "organisation:organisation_create",
            "post",
            "/organisation/organisations/new/",
            _creates_nothing(PartyOrganisation, name="外县党支部"),
        ),
        (
            "organisation:organisation_export",
            "get",
            "/organisation/organisations/export/",
            xlsx_lacks(o.name),
        ),
        (
            "organisation:organisation_export",
            "get",
            "/organisation/organisations/export/?region=420222100",
            not_found,
        ),
        (
            "organisation:organisation_detail",
            "get",
            f"/organisation/organisations/{o.pk}/",
            not_found,
        ),
        (
            "organisation:organisation_edit",
            "post",
            f"/organisation/organisations/{o.pk}/edit/",
            unchanged,
        ),
        (
            "organisation:organisation_status",
            "post",
            f"/organisation/organisations/{o.pk}/status/",
            unchanged,
        ),
        ("organisation:host_list", "get", "/organisation/hosts/", lacks(e.name)),
        (
            "organisation:host_create",
            "post",
            "/organisation/hosts/new/",
            _creates_nothing(HostEntity, name="外县合作社"),
        ),
        ("organisation:host_export", "get", "/organisation/hosts/export/", xlsx_lacks(e.name)),
        ("organisation:host_detail", "get", f"/organisation/hosts/{e.pk}/", not_found),
        ("organisation:host_edit", "post", f"/organisation/hosts/{e.pk}/edit/", unchanged),
        ("organisation:coverage", "get", "/organisation/coverage/", lacks(e.name)),
        ("organisation:coverage", "get", "/organisation/coverage/?region=420222100", not_found),
        ("organisation:member_list", "get", "/organisation/members/", lacks("兴国镇秘密党员")),
        (
            "organisation:member_create",
            "post",
            "/organisation/members/new/",
            _creates_nothing(PartyMember, person__name="外县党员"),
        ),
        (
            "organisation:member_export",
            "get",
            "/organisation/members/export/",
            xlsx_lacks("兴国镇秘密党员"),
        ),
        ("organisation:member_detail", "get", f"/organisation/members/{m.pk}/", not_found),
        ("organisation:member_edit", "post", f"/organisation/members/{m.pk}/edit/", unchanged),
        (
            "organisation:member_transfer",
            "post",
            f"/organisation/members/{m.pk}/transfer/",
            unchanged,
        ),
        ("organisation:link_create", "post", f"/organisation/members/{m.pk}/links/new/", unchanged),
        ("organisation:link_end", "post", f"/organisation/links/{link.pk}/end/", unchanged),
        ("organisation:composition", "get", "/organisation/committees/", lacks("山川台")),
        (
            "organisation:composition",
            "get",
            "/organisation/committees/?region=420222100",
            not_found,
        ),
        (
            "organisation:village_committees",
            "get",
            f"/organisation/committees/{VILLAGE}/",
            not_found,
        ),
        (
            "organisation:post_create",
            "post",
            f"/organisation/committees/{VILLAGE}/posts/new/",
            unchanged,
        ),
        (
            "organisation:election_create",
            "post",
            f"/organisation/committees/{VILLAGE}/elections/new/",
            unchanged,
        ),
        (
            "organisation:post_end",
            "post",
            f"/organisation/committee-posts/{post.pk}/end/",
            unchanged,
        ),
    ]


def _api_status(code, things):
    unchanged = _unchanged(things) if code == 404 else None

    def check(response):
        assert response.status_code == code, response.status_code
        if unchanged is not None:
            unchanged(response)

    return check


def api_checks(things: dict) -> list:
    o, e, m = things["organisation"], things["entity"], things["member"]
    link = things["link"]
    base = "/api/organisation"
    today = datetime.date.today().isoformat()
    gone = _api_status(404, things)
    return [
        # (operation path, method, request path, body, check)
        (f"{base}/organisations", "get", f"{base}/organisations", None, lacks(o.name)),
        (f"{base}/organisations", "get", f"{base}/organisations?region=420222100", None, gone),
        (
            f"{base}/organisations",
            "post",
            f"{base}/organisations",
            {"kind": "branch", "name": "越界党支部", "region_code": VILLAGE},
            _creates_nothing(PartyOrganisation, name="越界党支部"),
        ),
        (f"{base}/organisations/{{pk}}", "get", f"{base}/organisations/{o.pk}", None, gone),
        (
            f"{base}/organisations/{{pk}}",
            "patch",
            f"{base}/organisations/{o.pk}",
            {"name": "改名"},
            gone,
        ),
        (
            f"{base}/organisations/{{pk}}/status",
            "post",
            f"{base}/organisations/{o.pk}/status",
            {"to_status": "dissolved", "changed_on": today, "reason": "x"},
            gone,
        ),
        (f"{base}/hosts", "get", f"{base}/hosts", None, lacks(e.name)),
        (
            f"{base}/hosts",
            "post",
            f"{base}/hosts",
            {"kind": "enterprise", "name": "越界企业", "region_code": VILLAGE},
            _creates_nothing(HostEntity, name="越界企业"),
        ),
        (f"{base}/hosts/{{pk}}", "get", f"{base}/hosts/{e.pk}", None, gone),
        (f"{base}/hosts/{{pk}}", "patch", f"{base}/hosts/{e.pk}", {"size": 1}, gone),
        (f"{base}/coverage", "get", f"{base}/coverage", None, lacks("420222")),
        (f"{base}/coverage", "get", f"{base}/coverage?region=420222100", None, gone),
        (f"{base}/members", "get", f"{base}/members", None, lacks("兴国镇秘密党员")),
        (
            f"{base}/members",
            "post",
            f"{base}/members",
            {
                "id_number": "11010519491231002X",
                "name": "王芳",
                "branch_id": o.pk,
                "joined_on": "1990-07-01",
            },
            _creates_nothing(PartyMember, person__name="王芳"),
        ),
        (f"{base}/members/{{pk}}", "get", f"{base}/members/{m.pk}", None, gone),
        (
            f"{base}/members/{{pk}}/transfer",
            "post",
            f"{base}/members/{m.pk}/transfer",
            {"to_branch_id": o.pk, "transferred_on": today, "reason": "x"},
            gone,
        ),
        (f"{base}/members/{{pk}}/links", "get", f"{base}/members/{m.pk}/links", None, gone),
        (
            f"{base}/members/{{pk}}/links",
            "post",
            f"{base}/members/{m.pk}/links",
            {"household_id": link.household_id, "started_on": today},
            gone,
        ),
        (
            f"{base}/links/{{pk}}/end",
            "post",
            f"{base}/links/{link.pk}/end",
            {"ended_on": today},
            gone,
        ),
        (f"{base}/elections", "get", f"{base}/elections", None, lacks("兴国镇秘密选举")),
        (f"{base}/elections", "get", f"{base}/elections?region={VILLAGE}", None, gone),
        (
            f"{base}/committees/{{code}}/elections",
            "post",
            f"{base}/committees/{VILLAGE}/elections",
            {"held_on": today, "kind": "by_election", "note": "越界补选"},
            gone,
        ),
        (
            f"{base}/committees/{{code}}/posts",
            "get",
            f"{base}/committees/{VILLAGE}/posts",
            None,
            gone,
        ),
        (
            f"{base}/committees/{{code}}/posts",
            "post",
            f"{base}/committees/{VILLAGE}/posts",
            {
                "kind": "chair",
                "id_number": "11010519491231002X",
                "name": "王芳",
                "started_on": today,
            },
            gone,
        ),
        (
            f"{base}/committees/composition",
            "get",
            f"{base}/committees/composition",
            None,
            lacks("420222"),
        ),
        (
            f"{base}/committees/composition",
            "get",
            f"{base}/committees/composition?region=420222100",
            None,
            gone,
        ),
    ]
