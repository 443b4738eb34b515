"""Work teams: creation, members, one first secretary per village, rotation, recall,
duties; their pages and API."""

import datetime

import pytest

from baolei.audit.models import AuditEvent
from baolei.cadres.models import (
    DutyStatus,
    EndReason,
    MemberRole,
    SelectionRules,
    TeamMember,
    TeamStatus,
    WorkTeam,
)
from baolei.cadres.services import teams as services
from tests.cadres.factories import CadreFactory, DisciplinaryRecordFactory
from tests.cadres.factories_teams import DutyFactory, TeamMemberFactory, WorkTeamFactory
from tests.factories import ApiTokenFactory
from tests.helpers import bearer
from tests.registry.factories import VILLAGE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_a_team_gets_a_two_year_term_and_is_audited(insider):
    team = services.do_create_team(insider, VILLAGE, "县农业农村局", datetime.date(2025, 3, 1))
    assert team.ends_on == datetime.date(2027, 3, 1) and team.status == TeamStatus.ACTIVE
    assert AuditEvent.objects.filter(model="cadres.workteam", object_pk=str(team.pk)).exists()


def test_one_active_team_per_village_and_only_in_scope(insider, neighbour):
    services.do_create_team(insider, VILLAGE, "县农业农村局", datetime.date(2025, 3, 1))
    with pytest.raises(services.TeamsError) as error:
        services.do_create_team(insider, VILLAGE, "县财政局", datetime.date(2025, 3, 1))
    assert error.value.code == "team_exists"
    with pytest.raises(services.TeamsError) as error:
        services.do_create_team(neighbour, "420222100002", "县财政局", datetime.date(2025, 3, 1))
    assert error.value.code == "out_of_scope"


def test_one_first_secretary_per_team_and_one_team_per_cadre(insider):
    member = TeamMemberFactory()
    with pytest.raises(services.TeamsError) as error:
        services.do_add_member(
            insider, member.team, CadreFactory(), MemberRole.FIRST_SECRETARY, member.starts_on
        )
    assert error.value.code == "first_secretary_exists"
    other = WorkTeamFactory(village_id="420222100002")
    with pytest.raises(services.TeamsError) as error:
        services.do_add_member(insider, other, member.cadre, MemberRole.MEMBER, other.starts_on)
    assert error.value.code == "already_in_team"


def test_rotation_ends_one_and_starts_the_successor_the_next_day(insider):
    member = TeamMemberFactory()
    successor = CadreFactory(person__name="接任者")
    new = services.do_rotate(insider, member, successor, datetime.date(2025, 1, 1))
    member.refresh_from_db()
    assert (member.ended_on, member.end_reason) == (datetime.date(2024, 12, 31), EndReason.ROTATED)
    assert (new.cadre, new.role, new.starts_on) == (
        successor,
        MemberRole.FIRST_SECRETARY,
        datetime.date(2025, 1, 1),
    )


def test_a_refused_rotation_changes_nothing(insider):
    member = TeamMemberFactory()
    busy = TeamMemberFactory(team=WorkTeamFactory(village_id="420222100002"))
    with pytest.raises(services.TeamsError):
        services.do_rotate(insider, member, busy.cadre, datetime.date(2025, 1, 1))
    member.refresh_from_db()
    assert member.ended_on is None  # the whole step rolled back


def test_recall_ends_the_team_and_its_members(client_insider):
    member = TeamMemberFactory()
    response = client_insider.post(
        f"/cadres/teams/{member.team_id}/recall/", {"on": "2025-02-01", "reason": "驻村不在岗"}
    )
    assert response.status_code == 302
    team = WorkTeam.objects.get(pk=member.team_id)
    assert (team.status, team.recall_reason) == (TeamStatus.RECALLED, "驻村不在岗")
    member.refresh_from_db()
    assert (member.ended_on, member.end_reason) == (datetime.date(2025, 2, 1), EndReason.RECALLED)


def test_duties_are_marked_done_with_the_date(insider, client_insider):
    duty = DutyFactory()
    client_insider.post(
        f"/cadres/teams/duties/{duty.pk}/", {"status": DutyStatus.DONE, "result": "已完成换届"}
    )
    duty.refresh_from_db()
    assert duty.status == DutyStatus.DONE and duty.done_on is not None


def test_the_pages_show_the_team(client_insider):
    member = TeamMemberFactory(cadre__person__name="周书记")
    DutyFactory(team=member.team, description="整顿软弱涣散党支部")
    listing = client_insider.get("/cadres/teams/").content.decode()
    assert "周书记" in listing and f"/cadres/teams/{member.team_id}/" in listing
    detail = client_insider.get(f"/cadres/teams/{member.team_id}/").content.decode()
    assert "周书记" in detail and "整顿软弱涣散党支部" in detail and "First secretary" in detail
    assert client_insider.get(f"/cadres/teams/members/{member.pk}/rotate/").status_code == 200


def test_creating_a_team_from_the_page_and_an_error_on_the_field(client_insider):
    data = {"village": VILLAGE, "dispatching_unit": "县委组织部", "starts_on": "2025-03-01"}
    data["funds"] = "30000"
    assert client_insider.post("/cadres/teams/new/", data).status_code == 302
    again = client_insider.post("/cadres/teams/new/", data)
    assert again.status_code == 200 and "already has an active work team" in again.content.decode()


def test_adding_a_member_from_the_page(client_insider):
    team = WorkTeamFactory()
    cadre = CadreFactory()
    response = client_insider.post(
        f"/cadres/teams/{team.pk}/members/new/",
        {"cadre": cadre.pk, "role": MemberRole.MEMBER, "starts_on": "2024-02-01"},
    )
    assert response.status_code == 302
    assert TeamMember.objects.get(team=team).cadre == cadre


def test_the_first_secretary_export_and_api(client_county_admin, county_admin, client):
    member = TeamMemberFactory(cadre__person__name="导出书记")
    export = client_county_admin.get("/cadres/teams/first-secretaries/export/?format=csv")
    body = b"".join(export.streaming_content) if export.streaming else export.content
    assert "导出书记" in body.decode("utf-8-sig")
    key = ApiTokenFactory(user=county_admin).key
    listed = client.get("/api/cadres/first-secretaries", headers=bearer(key)).json()
    assert [row["name"] for row in listed] == ["导出书记"]
    team = client.get(f"/api/cadres/teams/{member.team_id}", headers=bearer(key)).json()
    assert team["members"][0]["role"] == "first_secretary"


def test_the_summary_partial_counts(rf, county_admin):
    from django.template.loader import render_to_string

    from baolei.accounts.scope import Scope
    from baolei.cadres.views.teams import summary_context

    TeamMemberFactory()
    request = rf.get("/cadres/")
    request.user, request.scope = county_admin, Scope.for_user(county_admin)
    context = summary_context(request)
    assert context["teams_summary"]["first_secretaries"] == 1
    html = render_to_string("cadres/teams/_summary.html", context)
    assert "First secretaries in post" in html


def test_recalling_one_member_keeps_the_team(client_insider):
    member = TeamMemberFactory()
    page = f"/cadres/teams/members/{member.pk}/end/"
    assert client_insider.get(page).status_code == 200
    response = client_insider.post(
        page, {"ended_on": "2024-09-30", "reason": EndReason.RECALLED, "note": "长期不在岗"}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.ended_on, member.end_reason) == (datetime.date(2024, 9, 30), EndReason.RECALLED)
    assert "长期不在岗" in member.note
    assert WorkTeam.objects.get(pk=member.team_id).status == TeamStatus.ACTIVE
    early = client_insider.post(page, {"ended_on": "2023-01-01", "reason": EndReason.RECALLED})
    assert early.status_code == 200  # already left: refused on the form


# --- who may be first secretary --------------------------------------------------------------


def _appoint(client, team, cadre, starts_on="2024-01-01", role=MemberRole.FIRST_SECRETARY):
    return client.post(
        f"/cadres/teams/{team.pk}/members/new/",
        {"cadre": cadre.pk, "role": role, "starts_on": starts_on},
    )


def test_a_non_party_member_is_not_made_first_secretary(client_county_admin):
    team = WorkTeamFactory()
    response = _appoint(client_county_admin, team, CadreFactory(political_status="masses"))
    assert response.status_code == 200
    assert "Party member" in " ".join(response.context["form"].errors["cadre"])
    assert not TeamMember.objects.exists()
    # a plain team member need not be
    other = CadreFactory(political_status="masses")
    assert _appoint(client_county_admin, team, other, role=MemberRole.MEMBER).status_code == 302


def test_a_sanction_in_effect_bars_the_post_and_is_named_only_to_those_who_may_know(
    client_county_admin, client_insider
):
    team = WorkTeamFactory()
    sanctioned = DisciplinaryRecordFactory(decided_on=datetime.date(2023, 6, 1), ends_on=None)
    shown = _appoint(client_county_admin, team, sanctioned.cadre).context["form"].errors
    assert "No disciplinary sanction in effect" in shown["cadre"][0]
    hidden = _appoint(client_insider, team, sanctioned.cadre).context["form"].errors
    assert "does not meet the selection criteria" in hidden["cadre"][0]
    assert "disciplinary" not in hidden["cadre"][0]
    assert not TeamMember.objects.exists()
    # a sanction that ended before the first day no longer counts
    lapsed = DisciplinaryRecordFactory(ends_on=datetime.date(2023, 12, 31)).cadre
    assert _appoint(client_county_admin, team, lapsed).status_code == 302


def test_the_regions_rules_decide_which_criteria_apply(insider):
    SelectionRules.objects.create(
        region_code="420222",
        year=2024,
        reference_date=datetime.date(2024, 1, 1),
        party_member_required=False,
    )
    team = WorkTeamFactory()
    cadre = CadreFactory(political_status="masses")
    member = services.do_add_member(
        insider, team, cadre, MemberRole.FIRST_SECRETARY, team.starts_on
    )
    assert member.role == MemberRole.FIRST_SECRETARY


def test_a_first_secretary_needs_a_full_term_ahead(insider, client_insider):
    team = WorkTeamFactory()  # 2024-01-01 to 2026-01-01
    with pytest.raises(services.TeamsError) as error:
        services.do_add_member(
            insider, team, CadreFactory(), MemberRole.FIRST_SECRETARY, datetime.date(2025, 9, 1)
        )
    assert (error.value.code, error.value.field) == ("term_too_short", "starts_on")
    response = _appoint(client_insider, team, CadreFactory(), starts_on="2025-09-01")
    assert "at least 2 years" in response.context["form"].errors["starts_on"][0]
    assert "2026-01-01" in response.context["form"].errors["starts_on"][0]
    assert _appoint(client_insider, team, CadreFactory(), starts_on="2024-01-01").status_code == 302


def test_a_rotation_checks_the_successor_and_warns_of_a_short_term(client_county_admin):
    member = TeamMemberFactory()
    url = f"/cadres/teams/members/{member.pk}/rotate/"
    masses = CadreFactory(political_status="masses")
    refused = client_county_admin.post(url, {"cadre": masses.pk, "on": "2025-01-01"})
    assert "Party member" in refused.context["form"].errors["cadre"][0]
    member.refresh_from_db()
    assert member.ended_on is None  # nothing happened
    successor = CadreFactory(person__name="接任书记")
    done = client_county_admin.post(url, {"cadre": successor.pk, "on": "2025-01-01"}, follow=True)
    assert "接任书记 serves as first secretary only until 2026-01-01" in done.content.decode()
    assert TeamMember.objects.get(cadre=successor, ended_on__isnull=True).starts_on == (
        datetime.date(2025, 1, 1)
    )
