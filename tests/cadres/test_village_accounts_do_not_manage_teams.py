"""A village account (the branch, the first secretary) works in its village but does not
manage the work team, cadres or party organisations: that is the county's (and the
township's). Neither the page offers the form nor does the endpoint accept the post."""

import datetime

import pytest
from django.test import Client

from baolei.accounts.permissions import Role
from baolei.cadres.models import Cadre, Duty, TeamMember, TeamStatus, WorkFundEntry, WorkTeam
from baolei.organisation.models import PartyOrganisation
from tests.cadres.factories import CadreFactory
from tests.cadres.factories_teams import TeamMemberFactory
from tests.factories import ApiTokenFactory, UserFactory
from tests.helpers import bearer
from tests.registry.factories import VILLAGE

pytestmark = pytest.mark.django_db

VILLAGE_ROLES = [Role.VILLAGE_BRANCH, Role.FIRST_SECRETARY]


def _state(team: WorkTeam) -> tuple:
    team.refresh_from_db()
    return (
        team.status,
        team.dispatching_unit,
        team.funds,
        WorkFundEntry.objects.count(),
        list(TeamMember.objects.order_by("pk").values_list("cadre_id", "ended_on")),
        Duty.objects.count(),
        WorkTeam.objects.count(),
        Cadre.objects.count(),
        PartyOrganisation.objects.count(),
    )


@pytest.fixture
def team():
    return TeamMemberFactory().team


def _writes(team: WorkTeam) -> list[tuple[str, dict]]:
    member = team.members.get()
    other = CadreFactory(person__name="接任者")
    day = "2025-02-01"
    return [
        (
            f"/cadres/teams/{team.pk}/funds/new/",
            {"kind": "expenditure", "date": day, "amount": "5000", "purpose": "修路"},
        ),
        (
            f"/cadres/teams/{team.pk}/funds/new/",
            {"kind": "allocation", "date": day, "amount": "5000", "purpose": "拨付"},
        ),
        (f"/cadres/teams/{team.pk}/recall/", {"on": day, "reason": "x"}),
        (f"/cadres/teams/members/{member.pk}/rotate/", {"cadre": other.pk, "on": day, "note": ""}),
        (f"/cadres/teams/members/{member.pk}/end/", {"ended_on": day, "reason": "recalled"}),
        (
            f"/cadres/teams/{team.pk}/members/new/",
            {"cadre": other.pk, "role": "member", "starts_on": day},
        ),
        (
            f"/cadres/teams/{team.pk}/edit/",
            {"dispatching_unit": "改了", "ends_on": "2026-01-01", "funds": "1"},
        ),
        (
            f"/cadres/teams/{team.pk}/duties/new/",
            {"kind": "governance", "description": "x", "due_on": "2025-06-30"},
        ),
        ("/cadres/teams/new/", {"village": VILLAGE, "dispatching_unit": "x", "starts_on": day}),
        ("/cadres/new/", {"id_number": "", "name": "新干部"}),
        (
            "/organisation/organisations/new/",
            {"kind": "branch", "name": "新支部", "region_code": VILLAGE},
        ),
    ]


@pytest.mark.parametrize("role", VILLAGE_ROLES)
def test_a_village_account_cannot_post_any_team_write(role, team):
    client = Client()
    client.force_login(UserFactory(role=role, scope=VILLAGE))
    writes = _writes(team)
    before = _state(team)
    for url, data in writes:
        assert client.get(url).status_code == 403, url
        assert client.post(url, data).status_code == 403, url
        assert _state(team) == before, url


@pytest.mark.parametrize("role", VILLAGE_ROLES)
def test_the_team_page_offers_a_village_account_no_management_form(role, team):
    client = Client()
    client.force_login(UserFactory(role=role, scope=VILLAGE))
    page = client.get(f"/cadres/teams/{team.pk}/").content.decode()
    for action in (
        "/funds/new/",
        "/recall/",
        "/rotate/",
        "/end/",
        "/members/new/",
        "/edit/",
        "/duties/new/",
    ):
        assert action not in page, action
    for listing, new in (
        ("/cadres/teams/", "/cadres/teams/new/"),
        ("/cadres/", "/cadres/new/"),
        ("/organisation/organisations/", "/organisation/organisations/new/"),
    ):
        assert new not in client.get(listing).content.decode(), new


def test_the_county_is_still_offered_and_may_disburse(client_county_admin, team):
    page = client_county_admin.get(f"/cadres/teams/{team.pk}/").content.decode()
    assert "/funds/new/" in page and "/recall/" in page
    response = client_county_admin.post(
        f"/cadres/teams/{team.pk}/funds/new/",
        {"kind": "allocation", "date": "2025-02-01", "amount": "5000", "purpose": "拨付"},
    )
    assert response.status_code == 302, response.content.decode()
    assert WorkFundEntry.objects.count() == 1
    assert client_county_admin.get("/organisation/organisations/new/").status_code == 200


def test_the_api_refuses_a_first_secretary_every_team_write(client, team):
    secretary = UserFactory(role=Role.FIRST_SECRETARY, scope=VILLAGE)
    key = bearer(ApiTokenFactory(user=secretary).key)
    member = team.members.get()
    day = "2025-02-01"
    writes = [
        (
            "post",
            f"/api/cadres/teams/{team.pk}/funds",
            {"kind": "expenditure", "date": day, "amount": "5000", "purpose": "x"},
        ),
        ("post", f"/api/cadres/teams/{team.pk}/recall", {"on": day, "reason": "x"}),
        (
            "post",
            f"/api/cadres/members/{member.pk}/rotate",
            {"cadre_id": CadreFactory().pk, "on": day},
        ),
        ("post", f"/api/cadres/members/{member.pk}/end", {"ended_on": day, "reason": "recalled"}),
        ("patch", f"/api/cadres/teams/{team.pk}", {"dispatching_unit": "改了"}),
        (
            "post",
            f"/api/cadres/teams/{team.pk}/duties",
            {"kind": "governance", "description": "x", "due_on": "2025-06-30"},
        ),
        (
            "post",
            "/api/cadres/teams",
            {"village_code": VILLAGE, "dispatching_unit": "x", "starts_on": day},
        ),
        (
            "post",
            "/api/organisation/organisations",
            {"kind": "branch", "name": "新支部", "region_code": VILLAGE},
        ),
    ]
    before = _state(team)
    for method, url, body in writes:
        response = getattr(client, method)(url, body, content_type="application/json", headers=key)
        assert response.status_code == 403, (url, response.content)
    assert _state(team) == before
    assert team.status == TeamStatus.ACTIVE and team.ends_on == datetime.date(2026, 1, 1)


def test_a_village_branch_cannot_set_up_organisations_by_import():
    from baolei.organisation.sheets.organisations import ORGANISATION_SHEET
    from tests.organisation.test_import import ORG_HEADER, csv_of, rejected

    branch = UserFactory(role=Role.VILLAGE_BRANCH, scope=VILLAGE)
    data = csv_of(ORG_HEADER, [[VILLAGE, "山川台第二支部", "党支部", "", "", "", ""]])
    shown = rejected(branch, ORGANISATION_SHEET, data)
    assert any("set up by the township or the county" in reason for _r, _c, reason in shown)
